#include "core/extract/sentencesplitter.h"

#include <QRegularExpression>
#include <QSet>

#include <unicode/ubrk.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <vector>

namespace rs {

namespace {

// Abbreviations are compared lower-cased and without their final dot.

// Titles and references that qualify what follows: a sentence almost never
// ends on them, so ICU's boundary after them is always dropped.
const QSet<QString> &alwaysJoin()
{
    static const QSet<QString> set = [] {
        QSet<QString> s;
        for (const char *w : {"mr", "mrs", "ms", "mx", "dr", "prof", "st", "mt", "gen", "col", "capt", "cpt",
                              "lt", "cmdr", "adm", "sgt", "rev", "hon", "gov", "sen", "rep", "pres", "supt",
                              "fig", "figs", "eq", "eqs", "sec", "ch", "chap", "vol", "vols", "tab", "vs", "v",
                              "cf", "e.g", "i.e", "viz", "approx", "ca", "incl", "esp", "resp", "dept", "ref",
                              "refs", "min", "max"})
            s.insert(QString::fromLatin1(w));
        return s;
    }();
    return set;
}

// Joined only when a number follows ("No. 5", "pp. 12-14", "Jan. 3").
const QSet<QString> &joinBeforeNumber()
{
    static const QSet<QString> set = [] {
        QSet<QString> s;
        for (const char *w : {"no", "nos", "nr", "p", "pp", "art", "op", "jan", "feb", "mar", "apr", "jun", "jul",
                              "aug", "sep", "sept", "oct", "nov", "dec"})
            s.insert(QString::fromLatin1(w));
        return s;
    }();
    return set;
}

// Abbreviations that end sentences often enough ("... and pears etc. Then")
// that the next word decides: a sentence opener means a real boundary.
const QSet<QString> &mayEndSentence()
{
    static const QSet<QString> set = [] {
        QSet<QString> s;
        for (const char *w : {"etc", "inc", "ltd", "co", "corp", "llc", "plc", "bros", "jr", "sr", "esq", "al",
                              "ed", "eds", "ave", "blvd", "rd", "dist", "univ", "assn", "intl", "natl", "dept",
                              "govt", "mfg", "est"})
            s.insert(QString::fromLatin1(w));
        return s;
    }();
    return set;
}

// Words that commonly open an English sentence. After an ambiguous
// abbreviation or an initial they tip the decision towards a boundary; a
// capitalised name ("Tolkien", "Army") does not.
const QSet<QString> &sentenceOpeners()
{
    static const QSet<QString> set = [] {
        QSet<QString> s;
        for (const char *w :
             {"the", "this", "that", "these", "those", "there", "then", "it", "its", "it's", "he", "she", "we",
              "they", "i", "you", "in", "on", "at", "but", "and", "or", "so", "a", "an", "if", "when", "while",
              "after", "before", "however", "also", "as", "for", "his", "her", "our", "their", "my", "your",
              "what", "why", "how", "who", "where", "which", "one", "some", "many", "most", "all", "not", "to",
              "with", "by", "from", "since", "because", "although", "though", "still", "yet", "here", "now",
              "today", "finally", "first", "next", "each", "every", "both", "thus", "therefore", "moreover",
              "meanwhile", "instead", "other", "such", "no", "yes", "please", "let", "there's", "we're",
              "i'm", "during", "until", "later", "recently", "indeed", "overall", "additionally", "furthermore",
              "nevertheless", "unfortunately", "fortunately", "similarly", "otherwise", "despite", "even",
              "only", "more", "another", "several", "do", "does", "did", "is", "are", "was", "were", "can",
              "will", "would", "should", "could", "may", "might", "must", "have", "has", "had"})
            s.insert(QString::fromLatin1(w));
        return s;
    }();
    return set;
}

bool isOpeningChar(QChar c)
{
    const auto cat = c.category();
    return cat == QChar::Punctuation_Open || cat == QChar::Punctuation_InitialQuote || c == u'"' || c == u'\''
        || c == u'\u00BF' || c == u'\u00A1'; // ¿ ¡
}

bool isClosingChar(QChar c)
{
    const auto cat = c.category();
    return cat == QChar::Punctuation_Close || cat == QChar::Punctuation_FinalQuote || c == u'"' || c == u'\''
        || c == u'\u201C' || c == u'\u2018'; // some typesetters close with the "opening" curly quote
}

bool isEllipsisEnd(QStringView s)
{
    return s.endsWith(u"...") || s.endsWith(u'\u2026') || s.endsWith(u"\u2026.");
}

// The last whitespace-separated token before `pos`, without trailing closing
// quotes/brackets and leading openers: `"Stop."` -> `Stop.`, `(e.g.` -> `e.g.`.
QStringView lastTokenBefore(const QString &text, qsizetype pos)
{
    qsizetype end = pos;
    while (end > 0 && text.at(end - 1).isSpace())
        --end;
    qsizetype begin = end;
    while (begin > 0 && !text.at(begin - 1).isSpace())
        --begin;
    while (end > begin && isClosingChar(text.at(end - 1)))
        --end;
    while (begin < end && isOpeningChar(text.at(begin)))
        ++begin;
    return QStringView(text).mid(begin, end - begin);
}

// The first token at or after `pos`, without leading openers and trailing
// punctuation ("(The," -> "The").
QStringView nextWordAt(const QString &text, qsizetype pos)
{
    while (pos < text.size() && text.at(pos).isSpace())
        ++pos;
    qsizetype end = pos;
    while (end < text.size() && !text.at(end).isSpace())
        ++end;
    while (pos < end && isOpeningChar(text.at(pos)))
        ++pos;
    while (end > pos && text.at(end - 1).isPunct())
        --end;
    return QStringView(text).mid(pos, end - pos);
}

bool startsWithDigit(QStringView w) { return !w.isEmpty() && w.front().isDigit(); }

bool startsLowercase(QStringView w) { return !w.isEmpty() && w.front().isLower(); }

bool isOpener(QStringView w)
{
    return !w.isEmpty() && w.front().isUpper() && sentenceOpeners().contains(w.toString().toLower());
}

// "U.S", "ph.d", "a.m", "e.u": letters in groups of one or two separated by dots.
bool isDottedInitialism(QStringView word)
{
    if (!word.contains(u'.'))
        return false;
    int run = 0;
    for (QChar c : word) {
        if (c == u'.') {
            if (run == 0)
                return false;
            run = 0;
        } else if (c.isLetter()) {
            if (++run > 2)
                return false;
        } else {
            return false;
        }
    }
    return run > 0;
}

bool isEnumerator(QStringView token)
{
    if (token.size() < 2 || token.size() > 4 || !token.endsWith(u'.'))
        return false;
    for (QChar c : token.chopped(1))
        if (!c.isDigit())
            return false;
    return true;
}

struct Span {
    qsizetype begin;
    qsizetype end;
};

// URLs and e-mail addresses, whose "?", "!" and "." are not sentence ends.
std::vector<Span> protectedSpans(const QString &text)
{
    static const QRegularExpression kPattern(
        QStringLiteral("(?:\\b[A-Za-z][A-Za-z0-9+.-]*://|\\bwww\\.)\\S+"
                       "|[\\w.%+-]+@[\\w-]+(?:\\.[\\w-]+)+"),
        QRegularExpression::UseUnicodePropertiesOption);
    std::vector<Span> spans;
    // Every match holds "://", "www." or "@": most blocks hold none, and
    // need no regular expression run over them.
    if (!text.contains(u'@') && !text.contains(u"://") && !text.contains(u"www."))
        return spans;
    auto it = kPattern.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        qsizetype end = m.capturedEnd();
        // Trailing punctuation belongs to the sentence, not to the address.
        while (end > m.capturedStart() && QStringLiteral(".,;:!?)]}\"'\u201D\u2019>").contains(text.at(end - 1)))
            --end;
        spans.push_back({m.capturedStart(), end});
    }
    return spans;
}

// Spans come from one left-to-right scan, so they are sorted and disjoint.
bool insideSpan(const std::vector<Span> &spans, qsizetype pos)
{
    auto it = std::upper_bound(spans.begin(), spans.end(), pos,
                               [](qsizetype p, const Span &s) { return p <= s.begin; });
    if (it == spans.begin())
        return false;
    --it;
    return pos > it->begin && pos < it->end;
}

std::vector<qsizetype> fallbackCandidates(const QString &text)
{
    static const QRegularExpression kEnd(QStringLiteral("[.!?]+[\"'\\)\\]\u201D\u2019\u00BB]*\\s+"));
    std::vector<qsizetype> out;
    auto it = kEnd.globalMatch(text);
    while (it.hasNext())
        out.push_back(it.next().capturedEnd());
    return out;
}

// Decides whether ICU's candidate boundary at `pos` is a real sentence end.
// `segmentStart` is where the sentence being built began.
bool keepBoundary(const QString &text, qsizetype segmentStart, qsizetype pos, const std::vector<Span> &spans)
{
    if (insideSpan(spans, pos))
        return false;
    const QStringView core = lastTokenBefore(text, pos);
    const QStringView next = nextWordAt(text, pos);
    if (core.isEmpty() || next.isEmpty())
        return true;
    if (isEllipsisEnd(core))
        return false;

    if (core.endsWith(u'.')) {
        const QString word = core.chopped(1).toString().toLower();
        if (alwaysJoin().contains(word))
            return false;
        if (joinBeforeNumber().contains(word))
            return !startsWithDigit(next);
        const bool initial = word.size() == 1 && core.front().isUpper() && core.front() != u'I';
        if (initial || mayEndSentence().contains(word) || isDottedInitialism(word))
            return isOpener(next);
        // "1." alone is a list enumerator: keep it with its item.
        if (isEnumerator(core) && QStringView(text).mid(segmentStart, pos - segmentStart).trimmed() == core)
            return false;
        return true;
    }

    // ICU already joins "." before a lower-case word; do the same for "!"
    // and "?": `He said "Stop!" and left.`, "Yahoo! is a company".
    if ((core.endsWith(u'!') || core.endsWith(u'?')) && startsLowercase(next))
        return false;
    return true;
}

} // namespace

struct SentenceSplitter::Impl {
    UBreakIterator *iterator = nullptr;

    ~Impl()
    {
        if (iterator)
            ubrk_close(iterator);
    }

    std::vector<qsizetype> candidates(const QString &text)
    {
        if (!iterator)
            return fallbackCandidates(text);
        UErrorCode status = U_ZERO_ERROR;
        ubrk_setText(iterator, reinterpret_cast<const UChar *>(text.utf16()), int32_t(text.size()), &status);
        if (U_FAILURE(status))
            return fallbackCandidates(text);
        std::vector<qsizetype> out;
        for (int32_t b = ubrk_next(iterator); b != UBRK_DONE; b = ubrk_next(iterator))
            if (b > 0 && b < text.size())
                out.push_back(b);
        // Do not keep a pointer into the caller's string after returning.
        ubrk_setText(iterator, nullptr, 0, &status);
        return out;
    }
};

SentenceSplitter::SentenceSplitter() : m_impl(std::make_unique<Impl>())
{
    UErrorCode status = U_ZERO_ERROR;
    m_impl->iterator = ubrk_open(UBRK_SENTENCE, "en", nullptr, 0, &status);
    if (U_FAILURE(status)) {
        if (m_impl->iterator)
            ubrk_close(m_impl->iterator);
        m_impl->iterator = nullptr;
    }
}

SentenceSplitter::~SentenceSplitter() = default;

bool SentenceSplitter::usesIcu() const { return m_impl->iterator != nullptr; }

QStringList SentenceSplitter::split(const QString &rawText)
{
    const QString text = normalizeWhitespace(rawText);
    QStringList sentences;
    if (text.isEmpty())
        return sentences;
    // ICU indexes UTF-16 code units, the same units as QString.
    const std::vector<qsizetype> candidates = m_impl->candidates(text);
    const std::vector<Span> spans = candidates.empty() ? std::vector<Span>{} : protectedSpans(text);
    qsizetype start = 0;
    auto cut = [&](qsizetype end) {
        // Trimmed as a view: one allocation per sentence, none for a blank piece.
        const QStringView piece = QStringView(text).mid(start, end - start).trimmed();
        if (!piece.isEmpty())
            sentences.append(piece.toString());
        start = end;
    };
    for (qsizetype b : candidates)
        if (keepBoundary(text, start, b, spans))
            cut(b);
    cut(text.size());
    return sentences;
}

QString normalizeWhitespace(const QString &text)
{
    // Most texts come already normalised (the readers simplify whitespace):
    // those are returned as they are, shared, without a copy.
    bool normal = true;
    char16_t previous = u' '; // so that a leading space is not normal
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        const bool ordinary = u > u' ' && u < 0x7F;
        if (!ordinary && (u == u' ' ? previous == u' ' : (u == 0xFEFF || u == 0x200B || c.isSpace()))) {
            normal = false;
            break;
        }
        previous = u;
    }
    if (normal && previous != u' ')
        return text;

    QString out;
    out.reserve(text.size());
    bool pendingSpace = false;
    for (QChar c : text) {
        if (c == u'\uFEFF')
            continue;
        if (c.isSpace() || c == u'\u200B') {
            pendingSpace = true;
            continue;
        }
        if (pendingSpace && !out.isEmpty())
            out.append(u' ');
        pendingSpace = false;
        out.append(c);
    }
    return out;
}

} // namespace rs
