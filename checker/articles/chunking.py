"""Splitting an article into overlapping passages with offsets into its cleaned text."""

from __future__ import annotations

from checker.schemas import Article, Chunk

# Paragraphs first, then sentences, then words: a passage should end where a thought ends.
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""]


def split(article: Article, chunk_size: int = 800, chunk_overlap: int = 120) -> list[Chunk]:
    """Chunks whose ids are stable for a given article version, so re-ingesting is a no-op."""
    # Imported here: langchain costs a third of a second, which `checker --help` should not pay.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=min(chunk_overlap, chunk_size // 2),
        separators=_SEPARATORS,
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    for index, doc in enumerate(splitter.create_documents([article.text])):
        start = doc.metadata["start_index"]
        end = start + len(doc.page_content)
        # The splitter finds offsets by searching; make sure they really point at the text.
        if start < 0 or article.text[start:end] != doc.page_content:
            start = article.text.find(doc.page_content)
            end = start + len(doc.page_content)
        chunks.append(
            Chunk(
                id=f"{article.id}:{article.version[:8]}:{index:04d}",
                article_id=article.id,
                index=index,
                start=start,
                end=end,
                text=doc.page_content,
            )
        )
    return chunks
