#pragma once
// ClipTokenizer: the CLIP byte-pair-encoding text tokenizer, id for id.
//
// Reproduces openai/CLIP's simple_tokenizer.py and clip.tokenize (without
// ftfy.fix_text): html.unescape twice and strip; runs of Unicode White_Space
// collapsed to one space, then str.strip() (which also drops U+001C..U+001F at
// the ends); Python str.lower() (full Unicode
// lowercase, final sigma included); CLIP's split pattern (the special tokens,
// 's 't 're 've 'm 'll 'd, letter runs, single digits, runs of other
// non-space characters); each piece's UTF-8 bytes through CLIP's
// byte-to-unicode table; BPE with the '</w>' end-of-word marker over the
// 48,894 merges of bpe_simple_vocab_16e6.txt.gz. The vocabulary has 49,408
// ids: 256 byte tokens, the same 256 with '</w>', one per merge, then
// <|startoftext|> = 49406 and <|endoftext|> = 49407. The literal strings
// "<|startoftext|>" and "<|endoftext|>" in a text map to those two ids.
// Letters and digits follow ICU's Unicode 15 tables: code points assigned
// later may split differently from a newer Python `regex` module. A lone
// UTF-16 surrogate (Python raises) is encoded as U+FFFD.
//
// Cost: copying a ClipTokenizer is cheap (the tables and the word cache are
// shared). Loading takes ~0.1 s; the tables hold a few MB.
//
// Thread-safety: encode() and tokenize() may be called concurrently on one
// instance (or on copies); the shared word cache is guarded by locks.

#include "core/util/result.h"

#include <QString>
#include <QVector>

#include <memory>

namespace rs {

class ClipTokenizer {
public:
    static constexpr int kStartToken = 49406;   // <|startoftext|>
    static constexpr int kEndToken = 49407;     // <|endoftext|>
    static constexpr int kContextLength = 77;   // CLIP's text context
    static constexpr int kMergeCount = 48894;   // merges used (49152 - 256 - 2)

    // Loads the merges from a gzip file (bpe_simple_vocab_16e6.txt.gz) or the
    // same text uncompressed. Errors: NotFound (no such file), IoError (not
    // readable), ParseError (a ".gz" that is not gzip, a corrupt or truncated
    // stream, invalid UTF-8, fewer than kMergeCount merges after the header
    // line, or a merge line that is not two space-separated symbols; the
    // context then names the file and line).
    static Result<ClipTokenizer> load(const QString &mergesPath);

    // The full id sequence: kStartToken, the text's BPE ids, kEndToken.
    // No padding and no truncation; an empty text gives {kStartToken, kEndToken}.
    QVector<int> encode(const QString &text) const;

    // One row of clip.tokenize(text, context_length, truncate=True): exactly
    // contextLength ids, zero-padded; a longer sequence is cut to
    // contextLength ids with the last one set to kEndToken. Returns an empty
    // vector when contextLength < 1.
    QVector<qint64> tokenize(const QString &text, int contextLength = kContextLength) const;

    // Number of ids (49408); every id encode() returns is below it.
    int vocabSize() const;

    // The text as the tokenizer sees it before splitting: unescaped twice,
    // whitespace collapsed, stripped and lowercased. Exposed for tests and
    // for showing users what a caption turns into.
    static QString cleanText(const QString &text);

private:
    struct Tables;
    struct WordCache;
    ClipTokenizer(std::shared_ptr<const Tables> tables, std::shared_ptr<WordCache> cache);

    std::shared_ptr<const Tables> m_tables;
    std::shared_ptr<WordCache> m_cache;
};

} // namespace rs
