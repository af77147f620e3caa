#pragma once
// Stage 1: splitting a block of prose into sentences.
//
// The base is ICU's sentence BreakIterator (locale "en"). ICU alone splits
// after abbreviations ("Dr. Smith"), initials and "!"/"?" inside URLs, so our
// own rules decide which of ICU's candidate boundaries are kept:
//  - never inside a URL or e-mail address (http://x.org/a?b=C stays whole);
//  - not after title-like abbreviations that precede what they qualify:
//    Mr. Mrs. Ms. Dr. Prof. St. Mt. Gen. Capt. Rev. Fig. Eq. Sec. Vol. vs.
//    cf. e.g. i.e. viz. approx. ca. Jan. Feb. ... (always joined);
//  - not after No. / Nos. / p. / pp. / Art. when a number follows ("No. 5");
//  - after abbreviations that may also end a sentence (etc. Inc. Ltd. Co.
//    Corp. Jr. Sr. a.m. p.m. et al., dotted initialisms like U.S. or Ph.D.)
//    and after single-letter initials ("J. R. R. Tolkien"): joined unless the
//    next word is a common sentence opener (The, It, He, In, But, ...);
//  - never after an ellipsis ("Wait... what", "Wait... What now" is one
//    sentence; ICU itself never splits after U+2026);
//  - not after "!" or "?" when the next word starts in lower case, as ICU
//    already does for "." ("He said "Stop!" and left", "Yahoo! is a company"
//    are one sentence each; all-lower-case chat splits less);
//  - a bare enumerator ("1." before "Introduction") is joined to what follows.
// Decimals and versions (3.14, v2.10.34), file names (image.png) and domains
// (www.gimp.org) already stay whole under ICU's rules. Closing quotes and
// brackets stay with their sentence: `He said "Stop." Then...` splits after
// the closing quote.
//
// Whitespace: the text is normalised first (normalizeWhitespace), so line
// breaks are NOT sentence ends (hard-wrapped text joins up; separate blocks
// should be split separately). Every returned sentence is trimmed, non-empty
// and whitespace-normalised. Empty input gives an empty list. Text without
// any terminator comes back as one sentence, however long.
//
// If ICU's sentence data cannot be loaded, a plain ".!?" + space rule
// provides the candidate boundaries instead and the same rules apply.
//
// Thread-safety: not thread-safe (owns an ICU iterator); use one instance per
// thread. Cheap to construct relative to splitting a document.

#include <QString>
#include <QStringList>

#include <memory>

namespace rs {

class SentenceSplitter {
public:
    SentenceSplitter();
    ~SentenceSplitter();
    SentenceSplitter(const SentenceSplitter &) = delete;
    SentenceSplitter &operator=(const SentenceSplitter &) = delete;

    QStringList split(const QString &text);

    // False when ICU's sentence iterator could not be opened and the
    // fallback rule is in use.
    bool usesIcu() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Collapses every run of Unicode white space (QChar::isSpace: spaces, tabs,
// line/paragraph separators, NBSP, ideographic space, ...) and U+200B
// ZERO WIDTH SPACE into one U+0020, drops U+FEFF (BOM) and trims both ends.
// Thread-safe.
QString normalizeWhitespace(const QString &text);

} // namespace rs
