#pragma once
// Stage 1: the per-sentence measurements that the sentence filters decide on
// (the paper keeps 3-81 words, word entropy >= 0.3, no URLs, no emoji).
// Pure functions; thread-safe.
//
// What counts (decided here, tested in tests/core/test_sentencescore.cpp):
//  - words: whitespace-separated tokens holding at least one letter or digit;
//    "--", "&" and "..." are not words, "3.5", "e.g." and "C++" are. Text
//    without spaces (Chinese, Japanese, Thai) counts as one word per run.
//  - entropy: Shannon entropy in bits of the word-frequency distribution of
//    those words, each lower-cased with its punctuation removed ("Cat," and
//    "cat" are the same word). "a a a a" -> 0, "a b c d" -> 2, no words -> 0.
//  - hasUrl: a token with a scheme ("http://", "https://", "ftp://", any
//    "name://"), starting with "www.", or a bare host name whose last label
//    is a known lower-case TLD: generic ones (com org net edu gov io info
//    dev app ...) always ("example.com", "example.com/path"), country codes
//    (de uk fr ...) only with a path or at least three labels ("bbc.co.uk",
//    "gimp.de/news") so that "end.it" is not a URL. File names with common
//    extensions (image.png, main.cpp, setup.py, README.md), decimals (3.5),
//    "e.g.", "U.S." and "ASP.NET" are not URLs. E-mail addresses are not URLs.
//  - hasEmail: local@domain.tld (optionally "mailto:"), TLD of 2+ letters.
//  - hasEmoji: a code point with Emoji_Presentation (😀, ☕, regional
//    indicator flags, skin-tone modifiers), any Extended_Pictographic code
//    point outside the BMP (🕶), a pictograph followed by U+FE0F (❤️, ☺️) or
//    a keycap sequence (1️⃣). Text-style symbols are not emoji: © ® ™ ° ± ×
//    ★ → ✔ and ❤ without U+FE0F.

#include <QByteArray>
#include <QString>

namespace rs {

struct SentenceScores {
    int words = 0;          // whitespace-separated tokens that contain at least one letter or digit
    double entropy = 0.0;   // Shannon entropy in bits of the (lower-cased, punctuation-stripped) word-frequency distribution
    bool hasUrl = false;    // scheme://, www., or a bare host with a known TLD (see above)
    bool hasEmail = false;
    bool hasEmoji = false;  // emoji presentation / pictographs (see above); not plain symbols like © ° ± ×
};

SentenceScores scoreSentence(const QString &sentence);

// Key for "normalised-text duplicate": NFKC with full case folding (ICU's
// NFKC_Casefold, which also drops default-ignorables such as ZWJ, soft
// hyphens and variation selectors), punctuation (P*) and symbols (S*, which
// includes emoji) removed, whitespace collapsed and trimmed. Two sentences
// are duplicates when their keys are equal; a sentence of only punctuation
// has an empty key (callers should not treat empty keys as duplicates).
QString dedupKey(const QString &sentence);

// dedupKey(sentence) as UTF-8, the form it is stored in; an ASCII sentence
// (most of them) is keyed straight into bytes.
QByteArray dedupKeyUtf8(const QString &sentence);

} // namespace rs
