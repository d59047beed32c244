"""Site search: a character n-gram index in small static files, and its reader.

Why our own index: Chinese has no spaces, and any segmenter that cuts words at
index time and again at query time loses pages where the two cut differently.
Here every sequence of one, two and three characters is a key, so a page that
contains the query always has all the query's keys: recall holds by
construction. Precision comes from checking the phrase itself in the text of
each result before it is shown.

Text model
    A document (`SearchDoc`) is a list of fields (anchor, label, text). Text is
    normalised (`normalize`): NFKC (full-width → half-width), case folded,
    control characters dropped, whitespace collapsed to one space. A query is
    normalised the same way and split at spaces into words; a document matches
    when every word occurs in one of its fields (words never contain a space,
    so joining fields with spaces never invents a match).

Keys (`tokenize`)
    - every character, pair and triple of adjacent characters (unigrams,
      bigrams, trigrams) of each space-separated segment, Chinese, Latin,
      digits and punctuation alike: these make any substring findable, a word
      of up to three characters is one exact key, and a longer word needs all
      its trigrams, which few pages have without having the word;
    - "T" + a token: every run of ASCII letters and digits joined by single
      `- . / _ , :` (315-0405-jxn-c1ug, 31.9, 2020-01-01) is split into its
      components, and every sequence of up to 4 consecutive components is a
      key ("T315-0405-jxn-c1ug", "T0405-jxn", "Tc1ug" …). They make whole codes,
      numbers and their parts exact and cheap to look up, and rank a whole-token
      hit (31.9) before an embedded one (131.9);
    - "D" + department name and "L" + 一级 indicator title, for the filters.
    Normalised text never holds an upper-case ASCII letter, so the prefixes
    cannot collide with text keys.

Files (under <out>/search/<scope>/, loaded by the browser as classic scripts,
which works from file:// and from any static server; each file is
`window.__ds&&__ds("<scope>/<path>",<json>);`)
    manifest.js     doc count, shard count, parts (which folder holds which
                    doc files), edition ranges, 一级 titles, amount chunks
    t/<s>.js        term shards: key → [docs, posting, title docs, title
                    posting]; s = CRC-32(key) & (shards − 1), about 4 KB each
    p/<i/1000>/<i%1000>.js   postings too big to stay inline in a shard
    a/<j>.js        documents with an amount, largest first (sort by amount)
    d/<n/1000>/<n%1000>.js   one document: url, title, department, edition,
                    amount and its fields (original text, for the phrase
                    check, the excerpt and the anchor of the hit), its JSON
                    zlib-compressed in a base64 string (`partition.packed`)
    A posting is a string: "D" delta varints, "B" bitmap, "R" runs or "C"
    complement, whichever is shortest (varint digits are base64 characters).

Documents are numbered in the order they are given (site order), so a build
of the same content writes the same bytes. An index is built in one streaming
pass: documents are written as they come, their keys are inverted a batch at
a time into sorted temporary runs (in worker processes on a large site) and
the runs are merged at the end, so memory stays flat however many documents
there are. `write_indexes` writes one index per edition and an "all" index
whose documents are the editions' own files (nothing duplicated).

A query (see `query`): each word's most selective key gives candidates that
include every page with the word; they are ranked by what the index knows
(title postings, phrase junctions, whole tokens), and each result is loaded
and checked against its text, lazily in rank order, before it is shown.

`query` is the client's algorithm in Python (search.js implements the same):
tests check recall and precision with it, and the benchmark counts the bytes a
browser would load.
"""

from __future__ import annotations

from ..urls import indicator_anchor
from .docs import (
                   SearchDoc,
                   department_doc,
                   doc_text,
                   docs_for_partition,
                   matches,
                   page_doc,
                   page_docs,
                   project_doc,
                   site_docs,
)
from .partition import CacheError, PartitionIndex, forget_others, index_partition, known_partition, present, remember
from .postings import decode_posting, encode_posting
from .read import Hit, SearchResult, query
from .text import WHITESPACE, key_hash, normalize, plan_word, query_words, tokenize
from .write import PAGES, WORKERS, Written, write_index, write_indexes, write_site_index

__all__ = [
    "SearchDoc", "normalize", "tokenize", "indicator_anchor", "project_doc", "department_doc", "page_doc",
    "site_docs", "write_index", "write_indexes", "query", "doc_text", "matches", "SearchResult", "Hit",
    "decode_posting", "encode_posting", "WHITESPACE", "key_hash", "plan_word", "query_words", "PAGES", "WORKERS",
    "docs_for_partition", "page_docs", "index_partition", "known_partition", "present", "remember", "forget_others", "write_site_index", "PartitionIndex", "CacheError", "Written",
]
