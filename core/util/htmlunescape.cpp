#include "core/util/htmlunescape.h"

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QtDebug>

// The resource lives in a static library: nothing references its object file,
// so the linker would drop it unless it is initialised explicitly. The macro
// must be used outside any namespace.
static void initHtmlEntityResource()
{
    Q_INIT_RESOURCE(html5_entities);
}

namespace rs {
namespace {

// resources/html5_entities.tsv is generated from Python's stdlib
// (html.entities.html5) with the one-liner quoted in its header, so the
// table is exactly the one html.unescape uses.
const QHash<QByteArray, QString> &entityTable()
{
    static const QHash<QByteArray, QString> table = [] {
        initHtmlEntityResource();
        QHash<QByteArray, QString> t;
        QFile f(QStringLiteral(":/realsyn/html5_entities.tsv"));
        if (!f.open(QIODevice::ReadOnly)) {
            qWarning("htmlUnescape: the compiled-in HTML5 entity table is missing; named references stay as they are");
            return t;
        }
        const QList<QByteArray> lines = f.readAll().split('\n');
        t.reserve(lines.size());
        for (const QByteArray &line : lines) {
            if (line.isEmpty() || line.startsWith('#'))
                continue;
            const int tab = line.indexOf('\t');
            if (tab <= 0)
                continue;
            QString value;
            for (const QByteArray &hex : line.mid(tab + 1).split(' ')) {
                bool ok = false;
                const uint cp = hex.toUInt(&ok, 16);
                if (ok)
                    value += QString::fromUcs4(reinterpret_cast<const char32_t *>(&cp), 1);
            }
            t.insert(line.left(tab), value);
        }
        return t;
    }();
    return table;
}

// HTML5 "numeric character reference end state": 0x80..0x9F are read as
// windows-1252 (the five holes map to themselves, as in Python).
constexpr char16_t kWindows1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

constexpr quint64 kBeyondUnicode = 0x110000;

void appendNumericReference(QString &out, quint64 cp)
{
    if (cp == 0) {
        out += QChar(0xFFFD);
        return;
    }
    if (cp == 0x0D) {
        out += QChar(0x0D);
        return;
    }
    if (cp >= 0x80 && cp <= 0x9F) {
        out += QChar(kWindows1252[cp - 0x80]);
        return;
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp >= kBeyondUnicode) {
        out += QChar(0xFFFD);
        return;
    }
    // Python drops these (its _invalid_codepoints): C0 controls other than
    // tab/LF/FF/CR, DEL, U+FDD0..U+FDEF and the last two code points of each plane.
    const bool dropped = (cp >= 0x01 && cp <= 0x08) || cp == 0x0B || (cp >= 0x0E && cp <= 0x1F)
        || cp == 0x7F || (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
    if (dropped)
        return;
    const char32_t c = char32_t(cp);
    out += QString::fromUcs4(&c, 1);
}

bool isAsciiDigit(QChar c) { return c.unicode() >= u'0' && c.unicode() <= u'9'; }

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

// Characters that end a name in Python's pattern [^\t\n\f <&#;]{1,32}.
bool endsName(QChar c)
{
    const char16_t u = c.unicode();
    return u == u'\t' || u == u'\n' || u == u'\f' || u == u' ' || u == u'<' || u == u'&' || u == u'#'
        || u == u';';
}

// Tries a reference starting at s[amp] == '&'. On a match appends the
// replacement and returns the index after the reference; otherwise returns -1.
qsizetype decodeReference(const QString &s, qsizetype amp, QString &out)
{
    const qsizetype n = s.size();
    qsizetype i = amp + 1;
    if (i >= n)
        return -1;

    if (s[i] == u'#') {
        ++i;
        quint64 value = 0;
        qsizetype start;
        if (i + 1 < n && (s[i] == u'x' || s[i] == u'X') && hexValue(s[i + 1]) >= 0) {
            start = ++i;
            for (; i < n && hexValue(s[i]) >= 0; ++i)
                value = value >= kBeyondUnicode ? value : value * 16 + hexValue(s[i]);
        } else {
            start = i;
            for (; i < n && isAsciiDigit(s[i]); ++i)
                value = value >= kBeyondUnicode ? value : value * 10 + (s[i].unicode() - u'0');
        }
        if (i == start)
            return -1; // "&#" not followed by digits: no alternative of the pattern matches
        if (i < n && s[i] == u';')
            ++i;
        appendNumericReference(out, value);
        return i;
    }

    // Named: up to 32 code points of name characters, then an optional ';'.
    const qsizetype nameStart = i;
    qsizetype firstNonAscii = -1;
    int codePoints = 0;
    while (i < n && codePoints < 32 && !endsName(s[i])) {
        if (firstNonAscii < 0 && s[i].unicode() >= 0x80)
            firstNonAscii = i - nameStart;
        i += (s[i].isHighSurrogate() && i + 1 < n && s[i + 1].isLowSurrogate()) ? 2 : 1;
        ++codePoints;
    }
    if (i == nameStart)
        return -1;
    if (i < n && s[i] == u';')
        ++i;

    const QHash<QByteArray, QString> &table = entityTable();
    const qsizetype len = i - nameStart;
    // Entity names are ASCII: a candidate with a non-ASCII character never matches.
    if (firstNonAscii < 0) {
        const auto it = table.constFind(s.mid(nameStart, len).toLatin1());
        if (it != table.cend()) {
            out += it.value();
            return i;
        }
    }
    // Longest known prefix of at least 2 characters (only legacy names, which
    // have no ';', can match here); the rest of the name stays as text.
    const qsizetype longest = firstNonAscii < 0 ? len - 1 : firstNonAscii;
    for (qsizetype x = longest; x >= 2; --x) {
        const auto it = table.constFind(s.mid(nameStart, x).toLatin1());
        if (it != table.cend()) {
            out += it.value();
            out += QStringView(s).mid(nameStart + x, len - x);
            return i;
        }
    }
    // Unknown: Python's substitution gives back the whole match unchanged.
    out += QStringView(s).mid(amp, i - amp);
    return i;
}

} // namespace

QString htmlUnescape(const QString &s)
{
    qsizetype amp = s.indexOf(u'&');
    if (amp < 0)
        return s;
    QString out;
    out.reserve(s.size());
    qsizetype copied = 0;
    while (amp >= 0) {
        out += QStringView(s).mid(copied, amp - copied);
        const qsizetype next = decodeReference(s, amp, out);
        if (next < 0) {
            out += u'&';
            copied = amp + 1;
        } else {
            copied = next;
        }
        amp = s.indexOf(u'&', copied);
    }
    out += QStringView(s).mid(copied);
    return out;
}

} // namespace rs
