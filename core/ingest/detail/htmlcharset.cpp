#include "core/ingest/detail/htmlcharset.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_cb.h>
#include <unicode/ucnv_err.h>

#include <algorithm>
#include <array>
#include <memory>
#include <limits>
#include <optional>

namespace rs::detail {

namespace {

bool isAsciiAlpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char toLowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

bool startsWithNoCase(QByteArrayView data, qsizetype pos, const char *literal)
{
    for (qsizetype i = 0; literal[i] != '\0'; ++i) {
        if (pos + i >= data.size() || toLowerAscii(data[pos + i]) != literal[i])
            return false;
    }
    return true;
}

// One attribute of a tag during the prescan; `atEnd` when the tag closed.
struct PrescanAttribute {
    QByteArray name;
    QByteArray value;
    bool atEnd = false;
};

// WHATWG "get an attribute": reads one name[=value] starting at pos and leaves
// pos after it. Stops at '>' (atEnd) or at the end of the data.
PrescanAttribute readAttribute(QByteArrayView data, qsizetype &pos)
{
    PrescanAttribute attr;
    const qsizetype end = data.size();
    while (pos < end && (isHtmlSpace(data[pos]) || data[pos] == '/'))
        ++pos;
    if (pos >= end || data[pos] == '>') {
        attr.atEnd = true;
        return attr;
    }
    // The name runs to '=', whitespace, '/' or '>'; its first character may be '='.
    do {
        attr.name.append(toLowerAscii(data[pos]));
        ++pos;
    } while (pos < end && data[pos] != '=' && data[pos] != '/' && data[pos] != '>'
             && !isHtmlSpace(data[pos]));
    while (pos < end && isHtmlSpace(data[pos]))
        ++pos;
    if (pos >= end || data[pos] != '=')
        return attr; // no value
    ++pos;
    while (pos < end && isHtmlSpace(data[pos]))
        ++pos;
    if (pos >= end)
        return attr;
    const char quote = data[pos];
    if (quote == '"' || quote == '\'') {
        ++pos;
        while (pos < end && data[pos] != quote)
            attr.value.append(data[pos++]);
        if (pos < end)
            ++pos; // the closing quote
    } else {
        while (pos < end && !isHtmlSpace(data[pos]) && data[pos] != '>')
            attr.value.append(data[pos++]);
    }
    return attr;
}

// WHATWG "extract a character encoding from a meta element": the value after
// "charset=" in a Content-Type value such as "text/html; charset=ISO-8859-1".
QByteArray charsetFromContentType(QByteArrayView content)
{
    qsizetype pos = 0;
    while (pos < content.size()) {
        if (!startsWithNoCase(content, pos, "charset")) {
            ++pos;
            continue;
        }
        pos += 7;
        while (pos < content.size() && isHtmlSpace(content[pos]))
            ++pos;
        if (pos >= content.size() || content[pos] != '=')
            continue; // "charset" without "=": look further
        ++pos;
        while (pos < content.size() && isHtmlSpace(content[pos]))
            ++pos;
        if (pos >= content.size())
            return {};
        const char quote = content[pos];
        QByteArray value;
        if (quote == '"' || quote == '\'') {
            ++pos;
            while (pos < content.size() && content[pos] != quote)
                value.append(content[pos++]);
            if (pos >= content.size())
                return {}; // unterminated quote: the spec says no charset
        } else {
            while (pos < content.size() && !isHtmlSpace(content[pos]) && content[pos] != ';')
                value.append(content[pos++]);
        }
        return value;
    }
    return {};
}

// Counts the replacements ICU makes, so that a page can say how many bytes
// were not valid in the encoding it was decoded from. ICU's own substitute
// callback writes U+001A for single-byte charsets; we always want U+FFFD.
struct ReplacementCounter {
    int count = 0;
};

void U_CALLCONV countingReplaceCallback(const void *context, UConverterToUnicodeArgs *args,
                                        const char *, int32_t, UConverterCallbackReason reason,
                                        UErrorCode *err)
{
    if (reason > UCNV_IRREGULAR)
        return; // reset, close, clone: nothing to replace
    auto *counter = static_cast<ReplacementCounter *>(const_cast<void *>(context));
    ++counter->count;
    static const UChar kReplacement = 0xFFFD;
    *err = U_ZERO_ERROR;
    ucnv_cbToUWriteUChars(args, &kReplacement, 1, 0, err);
}

struct ConverterCloser {
    void operator()(UConverter *c) const { ucnv_close(c); }
};
using ConverterPtr = std::unique_ptr<UConverter, ConverterCloser>;

ConverterPtr openConverter(const char *name)
{
    UErrorCode err = U_ZERO_ERROR;
    ConverterPtr converter(ucnv_open(name, &err));
    if (U_FAILURE(err))
        return nullptr;
    return converter;
}

struct Conversion {
    QString text;
    int replaced = 0;
};

// Converts `bytes` with an opened converter; nullopt when ICU fails outright.
std::optional<Conversion> convert(UConverter *converter, QByteArrayView bytes)
{
    Conversion result;
    if (bytes.isEmpty())
        return result;
    if (bytes.size() > (std::numeric_limits<int32_t>::max)() / 2 - 16)
        return std::nullopt;
    ReplacementCounter counter;
    UErrorCode err = U_ZERO_ERROR;
    ucnv_setToUCallBack(converter, countingReplaceCallback, &counter, nullptr, nullptr, &err);
    if (U_FAILURE(err))
        return std::nullopt;
    // One byte never becomes more than two UTF-16 units, so this rarely grows.
    int32_t capacity = int32_t(bytes.size()) * 2 + 16;
    for (int attempt = 0; attempt < 2; ++attempt) {
        result.text.resize(capacity);
        counter.count = 0;
        err = U_ZERO_ERROR;
        const int32_t length
            = ucnv_toUChars(converter, reinterpret_cast<UChar *>(result.text.data()), capacity,
                            bytes.data(), int32_t(bytes.size()), &err);
        if (err == U_BUFFER_OVERFLOW_ERROR) {
            capacity = length + 16;
            continue;
        }
        if (U_FAILURE(err))
            return std::nullopt;
        result.text.truncate(length);
        result.replaced = counter.count;
        return result;
    }
    return std::nullopt;
}

// The name a person knows the converter by ("windows-1252", not ICU's
// internal "ibm-5348_P100-1997").
QString displayName(UConverter *converter, const QByteArray &fallback)
{
    UErrorCode err = U_ZERO_ERROR;
    const char *internal = ucnv_getName(converter, &err);
    if (U_FAILURE(err) || !internal)
        return QString::fromLatin1(fallback);
    for (const char *standard : {"MIME", "IANA"}) {
        err = U_ZERO_ERROR;
        const char *name = ucnv_getStandardName(internal, standard, &err);
        if (U_SUCCESS(err) && name)
            return QString::fromLatin1(name);
    }
    return QString::fromLatin1(internal);
}

// Labels the WHATWG encoding standard maps to windows-1252: pages that say
// "iso-8859-1" almost always mean it (curly quotes in 0x80-0x9F).
constexpr std::array kWindows1252Labels{
    "ansi_x3.4-1968", "ascii",    "cp1252",     "cp819",      "csisolatin1",      "ibm819",
    "iso-8859-1",     "iso-ir-100", "iso8859-1", "iso88591",  "iso_8859-1",       "iso_8859-1:1987",
    "l1",             "latin1",   "us-ascii",   "windows-1252", "x-cp1252",
};

constexpr std::array kUtf16Labels{"utf-16", "utf-16le", "utf-16be", "unicodefffe", "unicode",
                                  "csunicode", "iso-10646-ucs-2", "ucs-2", "unicodefeff"};

// Maps a declared label to the name to open, per the WHATWG overrides; other
// labels go to ICU as they are.
QByteArray converterNameForLabel(const QByteArray &label)
{
    const QByteArray lower = label.trimmed().toLower();
    for (const char *l : kWindows1252Labels)
        if (lower == l)
            return QByteArrayLiteral("windows-1252");
    for (const char *l : kUtf16Labels)
        if (lower == l)
            return QByteArrayLiteral("UTF-8"); // an ASCII-readable meta cannot be in UTF-16
    return lower;
}

void noteConversion(DecodedHtml &out, int replaced)
{
    if (out.encoding.compare(QLatin1String("UTF-8"), Qt::CaseInsensitive) != 0)
        out.warnings.append(QStringLiteral("converted from %1 to UTF-8").arg(out.encoding));
    if (replaced > 0)
        out.warnings.append(QStringLiteral("%1 invalid byte sequence(s) in %2 replaced with U+FFFD")
                                .arg(replaced)
                                .arg(out.encoding));
}

// Decodes with a named converter; false when ICU cannot open or run it.
bool decodeWith(const char *name, QByteArrayView bytes, DecodedHtml &out)
{
    ConverterPtr converter = openConverter(name);
    if (!converter)
        return false;
    std::optional<Conversion> conversion = convert(converter.get(), bytes);
    if (!conversion)
        return false;
    out.utf8 = conversion->text.toUtf8();
    out.encoding = displayName(converter.get(), QByteArray(name));
    noteConversion(out, conversion->replaced);
    return true;
}

} // namespace

QByteArray sniffMetaCharset(QByteArrayView head)
{
    const QByteArrayView data = head.first(std::min(head.size(), kPrescanBytes));
    const qsizetype end = data.size();
    qsizetype pos = 0;
    while (pos < end) {
        if (data[pos] != '<') {
            ++pos;
            continue;
        }
        if (startsWithNoCase(data, pos, "<!--")) {
            const qsizetype close = data.indexOf(QByteArrayView("-->"), pos + 4);
            if (close < 0)
                return {};
            pos = close + 3;
            continue;
        }
        if (startsWithNoCase(data, pos, "<meta") && pos + 5 < end
            && (isHtmlSpace(data[pos + 5]) || data[pos + 5] == '/')) {
            pos += 5;
            QByteArray charset;
            QByteArray content;
            bool pragma = false;
            for (;;) {
                PrescanAttribute attr = readAttribute(data, pos);
                if (attr.atEnd || attr.name.isEmpty())
                    break;
                if (attr.name == "charset" && charset.isEmpty())
                    charset = attr.value.trimmed();
                else if (attr.name == "http-equiv")
                    pragma = attr.value.trimmed().toLower() == "content-type";
                else if (attr.name == "content" && content.isEmpty())
                    content = attr.value;
            }
            if (!charset.isEmpty())
                return charset;
            if (pragma) {
                const QByteArray fromContent = charsetFromContentType(content).trimmed();
                if (!fromContent.isEmpty())
                    return fromContent;
            }
            continue;
        }
        const bool endTag = pos + 1 < end && data[pos + 1] == '/';
        const qsizetype nameStart = pos + (endTag ? 2 : 1);
        if (nameStart < end && isAsciiAlpha(data[nameStart])) {
            // Another tag: skip its name, then its attributes (a '>' inside a
            // quoted value must not end the tag early).
            pos = nameStart;
            while (pos < end && !isHtmlSpace(data[pos]) && data[pos] != '>')
                ++pos;
            for (;;) {
                PrescanAttribute attr = readAttribute(data, pos);
                if (attr.atEnd || attr.name.isEmpty())
                    break;
            }
            continue;
        }
        if (startsWithNoCase(data, pos, "<!") || startsWithNoCase(data, pos, "</")
            || startsWithNoCase(data, pos, "<?")) {
            const qsizetype close = data.indexOf('>', pos + 2);
            if (close < 0)
                return {};
            pos = close + 1;
            continue;
        }
        ++pos;
    }
    return {};
}

DecodedHtml decodeHtml(const QByteArray &bytes)
{
    DecodedHtml out;
    out.encoding = QStringLiteral("UTF-8");
    if (bytes.isEmpty())
        return out;

    const auto hasPrefix = [&](std::initializer_list<unsigned char> prefix) {
        if (bytes.size() < qsizetype(prefix.size()))
            return false;
        qsizetype i = 0;
        for (unsigned char b : prefix)
            if (static_cast<unsigned char>(bytes[i++]) != b)
                return false;
        return true;
    };

    // Valid UTF-8 decodes to itself: ICU's UTF-8 -> UTF-16 conversion and
    // the way back would only copy it twice.
    const auto asItIs = [&out](const QByteArray &utf8) {
        if (!utf8.isValidUtf8())
            return false;
        out.utf8 = utf8;
        return true;
    };

    // A BOM outranks everything; ICU's UTF-8 converter would keep it as
    // U+FEFF, so it is cut here and the endian-specific converter named.
    if (hasPrefix({0xEF, 0xBB, 0xBF})) {
        if (asItIs(bytes.sliced(3)))
            return out;
        if (decodeWith("UTF-8", QByteArrayView(bytes).sliced(3), out))
            return out;
    } else if (hasPrefix({0xFF, 0xFE})) {
        if (decodeWith("UTF-16LE", QByteArrayView(bytes).sliced(2), out))
            return out;
    } else if (hasPrefix({0xFE, 0xFF})) {
        if (decodeWith("UTF-16BE", QByteArrayView(bytes).sliced(2), out))
            return out;
    }

    QStringList notes;
    const QByteArray declared = sniffMetaCharset(bytes);
    if (!declared.isEmpty()) {
        const QByteArray name = converterNameForLabel(declared);
        if (ucnv_compareNames(name.constData(), "UTF-8") == 0 && asItIs(bytes))
            return out;
        if (decodeWith(name.constData(), bytes, out))
            return out;
        notes.append(QStringLiteral("unknown charset \"%1\" declared")
                         .arg(QString::fromLatin1(declared.left(64))));
    }

    // No usable declaration: UTF-8 if the bytes are valid UTF-8.
    if (declared.isEmpty() && asItIs(bytes))
        return out;
    ConverterPtr utf8 = openConverter("UTF-8");
    if (utf8) {
        std::optional<Conversion> conversion = convert(utf8.get(), bytes);
        if (conversion && conversion->replaced == 0) {
            out.utf8 = conversion->text.toUtf8();
            out.encoding = QStringLiteral("UTF-8");
            for (const QString &note : notes)
                out.warnings.append(note + QStringLiteral("; decoded as UTF-8"));
            return out;
        }
    }

    // Not UTF-8 and nothing declared: browsers fall back to windows-1252.
    for (const QString &note : notes)
        out.warnings.append(note + QStringLiteral("; decoded as windows-1252"));
    if (declared.isEmpty())
        out.warnings.append(
            QStringLiteral("no charset declared and not valid UTF-8; decoded as windows-1252"));
    if (decodeWith("windows-1252", bytes, out))
        return out;

    // ICU without windows-1252 (should not happen): Latin-1 never fails.
    out.utf8 = QString::fromLatin1(bytes).toUtf8();
    out.encoding = QStringLiteral("ISO-8859-1");
    out.warnings.append(QStringLiteral("windows-1252 converter unavailable; decoded as ISO-8859-1"));
    return out;
}

} // namespace rs::detail
