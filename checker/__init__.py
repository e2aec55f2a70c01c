"""checker: does what one news outlet reports agree with another, claim by claim?"""

__version__ = "0.1.0"
