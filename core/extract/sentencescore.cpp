#include "core/extract/sentencescore.h"

#include "core/extract/sentencesplitter.h"

#include <QHash>
#include <QRegularExpression>
#include <QSet>
#include <QVarLengthArray>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cmath>

namespace rs {

namespace {

// Calls fn(codePoint, indexOfFirstUnit) for each code point; a lone
// surrogate is passed through as itself.
template <typename Fn>
void forEachCodePoint(QStringView s, Fn &&fn)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s.at(i);
        if (c.isHighSurrogate() && i + 1 < s.size() && s.at(i + 1).isLowSurrogate()) {
            fn(char32_t(QChar::surrogateToUcs4(c, s.at(i + 1))), i);
            ++i;
        } else {
            fn(char32_t(c.unicode()), i);
        }
    }
}

bool hasLetterOrDigit(QStringView token)
{
    bool found = false;
    forEachCodePoint(token, [&](char32_t cp, qsizetype) { found = found || QChar::isLetterOrNumber(cp); });
    return found;
}

QString entropyKey(QStringView token)
{
    QString out;
    out.reserve(token.size());
    forEachCodePoint(token, [&](char32_t cp, qsizetype) {
        if (!QChar::isPunct(cp))
            out.append(QStringView(QChar::fromUcs4(cp)));
    });
    return out.toLower();
}

// Top-level domains that make a bare "name.tld" a host. Generic ones count on
// their own; country codes only with a path or a third label, because
// "end.it" or "script.pl" in sloppy prose are not addresses. Codes that are
// mostly file extensions (sh py md rs pl so ps) are left out altogether.
const QSet<QString> &genericTlds()
{
    static const QSet<QString> set = [] {
        QSet<QString> s;
        for (const char *t : {"com", "org", "net", "edu", "gov", "mil", "io", "info", "biz", "dev", "app", "xyz",
                              "online", "site", "tech", "store", "blog", "news", "shop", "wiki"})
            s.insert(QString::fromLatin1(t));
        return s;
    }();
    return set;
}

const QSet<QString> &countryTlds()
{
    static const QSet<QString> set = [] {
        QSet<QString> s;
        for (const char *t : {"uk", "de", "fr", "it", "es", "nl", "eu", "ru", "cn", "jp", "au", "in", "br", "ch",
                              "se", "ca", "us", "tv", "me", "co", "ai", "be", "at", "dk", "fi", "no", "pt", "cz",
                              "gr", "ie", "nz", "za", "kr", "tw", "hk", "sg", "mx", "ar", "ly", "gl", "fm", "to",
                              "cc", "ws", "pl", "ua", "tr", "il", "id", "vn", "th", "my", "ph"})
            s.insert(QString::fromLatin1(t));
        return s;
    }();
    return set;
}

QStringView stripTokenPunctuation(QStringView token)
{
    // In ASCII the open punctuation is ( [ {, the close ) ] }, and there are
    // no initial or final quotes: no property lookup for those.
    auto leading = [](QChar c) {
        if (c.unicode() < 0x80)
            return c == u'<' || c == u'"' || c == u'\'' || c == u'(' || c == u'[' || c == u'{';
        return c.category() == QChar::Punctuation_Open || c.category() == QChar::Punctuation_InitialQuote;
    };
    auto trailing = [](QChar c) {
        if (c.unicode() < 0x80)
            return QStringView(u".,;:!?>\"')]}").contains(c);
        return c.category() == QChar::Punctuation_Close || c.category() == QChar::Punctuation_FinalQuote;
    };
    while (!token.isEmpty() && leading(token.front()))
        token = token.mid(1);
    while (!token.isEmpty() && trailing(token.back()))
        token.chop(1);
    return token;
}

bool isEmailToken(QStringView token)
{
    static const QRegularExpression kEmail(QStringLiteral(
        "^(?:mailto:)?[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)+[A-Za-z]{2,}$"),
        QRegularExpression::CaseInsensitiveOption);
    return kEmail.match(token).hasMatch();
}

bool isUrlToken(QStringView token)
{
    static const QRegularExpression kScheme(QStringLiteral("^[A-Za-z][A-Za-z0-9+.-]+://\\S"));
    static const QRegularExpression kWww(QStringLiteral("^www\\d?\\.[A-Za-z0-9]"),
                                         QRegularExpression::CaseInsensitiveOption);
    // Host labels, then a lower-case TLD, an optional port, then the rest.
    static const QRegularExpression kHost(QStringLiteral(
        "^((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\\.)+)([a-z]{2,})(?::\\d+)?([/?#].*)?$"));
    if (kScheme.match(token).hasMatch() || kWww.match(token).hasMatch())
        return true;
    const auto m = kHost.match(token);
    if (!m.hasMatch())
        return false;
    const QString tld = m.captured(2);
    if (genericTlds().contains(tld))
        return true;
    if (!countryTlds().contains(tld))
        return false;
    const bool hasPath = m.capturedLength(3) > 1;
    const qsizetype labels = m.capturedView(1).count(u'.') + 1;
    return hasPath || labels >= 3;
}

bool isEmojiCodePoint(char32_t cp) { return u_hasBinaryProperty(UChar32(cp), UCHAR_EMOJI_PRESENTATION); }

bool containsEmoji(QStringView s)
{
    bool found = false;
    char32_t previous = 0;
    forEachCodePoint(s, [&](char32_t cp, qsizetype) {
        if (found)
            return;
        if (isEmojiCodePoint(cp))
            found = true;
        // Pictographs outside the BMP are emoji whatever their default style.
        else if (cp >= 0x10000 && u_hasBinaryProperty(UChar32(cp), UCHAR_EXTENDED_PICTOGRAPHIC))
            found = true;
        // U+FE0F asks for emoji presentation of the preceding text-style one.
        else if (cp == 0xFE0F && previous != 0 && u_hasBinaryProperty(UChar32(previous), UCHAR_EMOJI))
            found = true;
        // Keycap sequences: "1\u20E3" or "1\uFE0F\u20E3".
        else if (cp == 0x20E3 && previous != 0 && (u_hasBinaryProperty(UChar32(previous), UCHAR_EMOJI)
                                                   || previous == 0xFE0F))
            found = true;
        previous = cp;
    });
    return found;
}

} // namespace

namespace {

// QChar's own answers for the ASCII range, looked up once: most tokens are
// ASCII, and the per-character property calls were a large share of ingest.
struct AsciiClasses {
    bool punct[128];
    bool letterOrNumber[128];
    bool symbol[128];
    AsciiClasses()
    {
        for (char32_t c = 0; c < 128; ++c) {
            punct[c] = QChar::isPunct(c);
            symbol[c] = QChar::isSymbol(c);
            letterOrNumber[c] = QChar::isLetterOrNumber(c);
        }
    }
};

bool isAscii(QStringView token)
{
    for (QChar c : token)
        if (c.unicode() >= 128)
            return false;
    return true;
}

// NFKC case folding and QString::toLower agree on ASCII: only A-Z change.
inline QChar asciiLower(char16_t u) { return QChar(u >= u'A' && u <= u'Z' ? char16_t(u + 32) : u); }

const AsciiClasses &asciiClasses()
{
    static const AsciiClasses classes;
    return classes;
}

} // namespace

SentenceScores scoreSentence(const QString &sentence)
{
    const AsciiClasses &ascii = asciiClasses();
    SentenceScores scores;
    // The entropy's word keys, written one after another into one buffer and
    // counted by sorting views of it: no string or hash node per word.
    // One buffer per thread, grown as needed: a sentence's keys fit in its length.
    thread_local QString keyText;
    if (keyText.size() < sentence.size())
        keyText.resize(sentence.size());
    qsizetype keyLength = 0; // of keyText, in use
    QVarLengthArray<std::pair<qsizetype, qsizetype>, 64> keySpans; // offset, length in keyText
    const QStringView all(sentence);
    qsizetype i = 0;
    while (i < all.size()) {
        while (i < all.size() && all.at(i).isSpace())
            ++i;
        const qsizetype begin = i;
        while (i < all.size() && !all.at(i).isSpace())
            ++i;
        if (i == begin)
            continue;
        const QStringView token = all.mid(begin, i - begin);
        if (isAscii(token)) {
            bool letterOrDigit = false;
            for (QChar c : token)
                letterOrDigit = letterOrDigit || ascii.letterOrNumber[c.unicode()];
            if (letterOrDigit) {
                ++scores.words;
                // Written in place: keyText was sized for the whole sentence.
                const qsizetype start = keyLength;
                QChar *key = keyText.data() + start;
                for (QChar c : token) {
                    const char16_t u = c.unicode();
                    if (!ascii.punct[u])
                        *key++ = asciiLower(u);
                }
                keyLength = key - keyText.data();
                keySpans.push_back({start, keyLength - start});
            }
        } else if (hasLetterOrDigit(token)) {
            ++scores.words;
            // Lower-casing may lengthen it: keep room for the rest too.
            const QString key = entropyKey(token);
            if (keyLength + key.size() + (all.size() - i) > keyText.size())
                keyText.resize(keyLength + key.size() + (all.size() - i));
            std::copy(key.cbegin(), key.cend(), keyText.begin() + keyLength);
            keySpans.push_back({keyLength, key.size()});
            keyLength += key.size();
        }
        const QStringView core = stripTokenPunctuation(token);
        if (core.isEmpty())
            continue;
        // A token is an e-mail or a URL, never both: "x@example.com" is not
        // counted as a link to example.com.
        if (core.contains(u':') && core.contains(u"://")) {
            if (isUrlToken(core))
                scores.hasUrl = true;
        } else if (core.contains(u'@')) {
            if (isEmailToken(core))
                scores.hasEmail = true;
        } else if (core.contains(u'.') && isUrlToken(core)) { // hosts need a dot; most words have none
            scores.hasUrl = true;
        }
    }
    if (scores.words > 0) {
        QVarLengthArray<QStringView, 64> keys;
        for (const auto &[start, length] : keySpans)
            keys.push_back(QStringView(keyText).mid(start, length));
        if (isAscii(QStringView(keyText).first(keyLength))) // code units order as QStringView does, without its calls
            std::sort(keys.begin(), keys.end(), [](QStringView a, QStringView b) {
                return std::u16string_view(a.utf16(), size_t(a.size())) < std::u16string_view(b.utf16(), size_t(b.size()));
            });
        else
            std::sort(keys.begin(), keys.end());
        const double n = scores.words;
        double h = 0.0;
        // Summed in key order, so the low bits never depend on a hash seed.
        for (qsizetype k = 0; k < keys.size();) {
            qsizetype run = 1;
            while (k + run < keys.size() && keys[k + run] == keys[k])
                ++run;
            const double p = run / n;
            h -= p * std::log2(p);
            k += run;
        }
        // -0.0 and 1e-17 noise read badly in a score column.
        scores.entropy = h < 1e-12 ? 0.0 : h;
    }
    scores.hasEmoji = !isAscii(all) && containsEmoji(sentence);
    return scores;
}

namespace {

// The dedup key of an ASCII sentence, in one pass: punctuation and symbols
// dropped, letters lower-cased, white space (in ASCII 0x09-0x0D and ' ')
// collapsed and trimmed, as normalizeWhitespace does. ASCII is its own UTF-8
// and Latin-1, so both forms of the key come from here.
QByteArray asciiDedupKey(QStringView sentence)
{
    const AsciiClasses &ascii = asciiClasses();
    QByteArray key(sentence.size(), Qt::Uninitialized);
    char *out = key.data();
    bool pendingSpace = false;
    for (const QChar c : sentence) {
        const char16_t u = c.unicode();
        if (u == u' ' || (u >= 0x09 && u <= 0x0D)) {
            pendingSpace = out != key.data();
            continue;
        }
        if (ascii.punct[u] || ascii.symbol[u])
            continue;
        if (pendingSpace)
            *out++ = ' ';
        pendingSpace = false;
        *out++ = char(asciiLower(u).unicode());
    }
    key.truncate(out - key.constData());
    return key;
}

} // namespace

QByteArray dedupKeyUtf8(const QString &sentence)
{
    return isAscii(sentence) ? asciiDedupKey(sentence) : dedupKey(sentence).toUtf8();
}

QString dedupKey(const QString &sentence)
{
    if (isAscii(sentence))
        return QString::fromLatin1(asciiDedupKey(sentence));
    QString folded;
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2 *nfkcCf = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_SUCCESS(status) && nfkcCf) {
        const icu::UnicodeString src(false, reinterpret_cast<const UChar *>(sentence.utf16()),
                                     int32_t(sentence.size()));
        const icu::UnicodeString dst = nfkcCf->normalize(src, status);
        if (U_SUCCESS(status))
            folded = QString(reinterpret_cast<const QChar *>(dst.getBuffer()), dst.length());
    }
    if (U_FAILURE(status)) // ICU data missing: Qt's NFKC and simple case folding
        folded = sentence.normalized(QString::NormalizationForm_KC).toCaseFolded();

    QString kept;
    kept.reserve(folded.size());
    forEachCodePoint(folded, [&](char32_t cp, qsizetype) {
        if (!QChar::isPunct(cp) && !QChar::isSymbol(cp))
            kept.append(QStringView(QChar::fromUcs4(cp)));
    });
    return normalizeWhitespace(kept);
}

} // namespace rs
