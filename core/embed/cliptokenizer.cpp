#include "core/embed/cliptokenizer.h"

#include "core/util/htmlunescape.h"

#include <QFile>
#include <QHash>
#include <QStringDecoder>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <zlib.h>

#include <array>
#include <climits>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace rs {

namespace {

constexpr int kByteTokens = 256;
const QString kEndOfWord = QStringLiteral("</w>");
constexpr QStringView kStartText = u"<|startoftext|>";
constexpr QStringView kEndText = u"<|endoftext|>";

// CLIP uses two notions of whitespace. Its \s (the `regex` module's, in
// whitespace_clean and in the split pattern) is Unicode White_Space; Python's
// str.strip() also removes U+001C..U+001F. All of them are in the BMP.
bool isWhiteSpace(char32_t c)
{
    if (c < 0x80)
        return (c >= 0x09 && c <= 0x0D) || c == 0x20;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
        || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool isStripSpace(char32_t c)
{
    return isWhiteSpace(c) || (c >= 0x1C && c <= 0x1F);
}

// CLIP's byte_to_unicode(): printable Latin-1 bytes map to themselves, the
// other 68 bytes to U+0100 onwards, in byte order. The vocabulary lists the
// bytes in this order (printable ones first), so it also gives their ids.
struct ByteOrder {
    std::array<int, kByteTokens> byteAt{}; // vocabulary position -> byte
    std::array<char32_t, kByteTokens> charOf{}; // byte -> its unicode stand-in
    ByteOrder()
    {
        int pos = 0;
        auto printable = [](int b) { return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF); };
        for (int b = 0; b < kByteTokens; ++b)
            if (printable(b)) {
                byteAt[pos++] = b;
                charOf[b] = char32_t(b);
            }
        int extra = 0;
        for (int b = 0; b < kByteTokens; ++b)
            if (!printable(b)) {
                byteAt[pos++] = b;
                charOf[b] = char32_t(kByteTokens + extra++);
            }
    }
};

enum class CharClass { Space, Letter, Number, Other, Ignored };

CharClass classify(char32_t c)
{
    if (c < 0x80) {
        if ((c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z'))
            return CharClass::Letter;
        if (c >= u'0' && c <= u'9')
            return CharClass::Number;
        return isWhiteSpace(c) ? CharClass::Space : CharClass::Other;
    }
    if (isWhiteSpace(c))
        return CharClass::Space;
    // CLIP compiles its pattern with IGNORECASE; U+0345 (a mark) case-folds to
    // a letter, so neither [\p{L}]+ nor [^\s\p{L}\p{N}]+ takes it and the
    // regex skips it like a space. It is the only character affected.
    if (c == 0x0345)
        return CharClass::Ignored;
    // ICU's tables (Unicode 15 in Debian 12) rather than QChar's (Unicode 14
    // in Qt 6.4): closer to the `regex` module CLIP runs on today.
    switch (u_charType(UChar32(c))) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
        return CharClass::Letter;
    case U_DECIMAL_DIGIT_NUMBER:
    case U_LETTER_NUMBER:
    case U_OTHER_NUMBER:
        return CharClass::Number;
    default:
        return CharClass::Other;
    }
}

char32_t codePointAt(QStringView s, qsizetype i, qsizetype *width)
{
    const QChar c = s[i];
    if (c.isHighSurrogate() && i + 1 < s.size() && s[i + 1].isLowSurrogate()) {
        *width = 2;
        return QChar::surrogateToUcs4(c, s[i + 1]);
    }
    *width = 1;
    return c.unicode();
}

// Does s continue at i with the ASCII literal lit, under CLIP's IGNORECASE?
// The text is already lowercase; the one case-insensitive equivalent left for
// the letters used is U+017F LONG S for 's'.
bool matchesAt(QStringView s, qsizetype i, QStringView lit)
{
    if (s.size() - i < lit.size())
        return false;
    for (qsizetype k = 0; k < lit.size(); ++k) {
        const char16_t a = s[i + k].unicode();
        const char16_t b = lit[k].unicode();
        if (a != b && !(b == u's' && a == 0x017F))
            return false;
    }
    return true;
}

qsizetype contractionLength(QStringView s, qsizetype i)
{
    // Same order as the pattern's alternatives: 's|'t|'re|'ve|'m|'ll|'d.
    static constexpr QStringView kForms[] = {u"'s", u"'t", u"'re", u"'ve", u"'m", u"'ll", u"'d"};
    for (QStringView form : kForms)
        if (matchesAt(s, i, form))
            return form.size();
    return 0;
}

// Python's str.lower(): full lowercase mapping with final sigma. ICU's root
// locale applies exactly the unconditional SpecialCasing rules plus final
// sigma; QString::toLower does simple mappings only.
QString pythonLower(const QString &s)
{
    bool ascii = true;
    for (QChar c : s)
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    if (ascii) {
        QString out = s;
        for (QChar &c : out)
            if (c.unicode() >= u'A' && c.unicode() <= u'Z')
                c = QChar(c.unicode() + 32);
        return out;
    }
    QString out(s.size() + 16, Qt::Uninitialized);
    UErrorCode err = U_ZERO_ERROR;
    int32_t n = u_strToLower(reinterpret_cast<UChar *>(out.data()), int32_t(out.size()),
                             reinterpret_cast<const UChar *>(s.utf16()), int32_t(s.size()), "", &err);
    if (err == U_BUFFER_OVERFLOW_ERROR) {
        out.resize(n);
        err = U_ZERO_ERROR;
        n = u_strToLower(reinterpret_cast<UChar *>(out.data()), int32_t(out.size()),
                         reinterpret_cast<const UChar *>(s.utf16()), int32_t(s.size()), "", &err);
    }
    if (U_FAILURE(err))
        return s.toLower(); // not expected for valid sizes; keep going with Qt's mapping
    out.resize(n);
    return out;
}

// whitespace_clean(basic_clean(...)) without the unescaping: runs of \s
// become one space, then str.strip(). (basic_clean's own strip() before that
// cannot change the result.)
QString collapseWhitespace(const QString &s)
{
    QString out;
    out.reserve(s.size());
    bool inRun = false;
    for (QChar c : s) {
        if (isWhiteSpace(c.unicode())) {
            if (!inRun)
                out += u' ';
            inRun = true;
            continue;
        }
        inRun = false;
        out += c;
    }
    qsizetype begin = 0, end = out.size();
    while (begin < end && isStripSpace(out[begin].unicode()))
        ++begin;
    while (end > begin && isStripSpace(out[end - 1].unicode()))
        --end;
    if (begin == 0 && end == out.size())
        return out;
    return out.mid(begin, end - begin);
}

void appendUtf8(std::string &out, QStringView piece)
{
    for (qsizetype i = 0; i < piece.size();) {
        qsizetype w = 1;
        char32_t c = codePointAt(piece, i, &w);
        i += w;
        if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD; // a lone surrogate has no UTF-8 form
        if (c < 0x80) {
            out += char(c);
        } else if (c < 0x800) {
            out += char(0xC0 | (c >> 6));
            out += char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += char(0xE0 | (c >> 12));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        } else {
            out += char(0xF0 | (c >> 18));
            out += char(0x80 | ((c >> 12) & 0x3F));
            out += char(0x80 | ((c >> 6) & 0x3F));
            out += char(0x80 | (c & 0x3F));
        }
    }
}

quint64 pairKey(int a, int b) { return (quint64(quint32(a)) << 32) | quint32(b); }

Result<QByteArray> gunzip(const QByteArray &in, const QString &path)
{
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return makeError(ErrorCode::Internal, QStringLiteral("zlib could not start"), path);
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    zs.avail_in = uInt(in.size());
    QByteArray out;
    qsizetype produced = 0;
    int ret = Z_OK;
    while (ret != Z_STREAM_END) {
        if (out.size() - produced < 1 << 16)
            out.resize(qMax<qsizetype>(out.size() * 2, in.size() * 4 + (1 << 16)));
        zs.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        zs.avail_out = uInt(out.size() - produced);
        ret = inflate(&zs, Z_NO_FLUSH);
        produced = out.size() - zs.avail_out;
        if (ret == Z_OK)
            continue;
        if (ret == Z_STREAM_END)
            break;
        const QString why = ret == Z_BUF_ERROR ? QStringLiteral("truncated gzip stream")
                                               : QStringLiteral("corrupt gzip stream (%1)")
                                                     .arg(QString::fromLatin1(zs.msg ? zs.msg : "zlib error"));
        inflateEnd(&zs);
        return makeError(ErrorCode::ParseError, why, path);
    }
    inflateEnd(&zs);
    out.resize(produced);
    return out;
}

} // namespace

struct ClipTokenizer::Tables {
    struct Merge {
        int rank;
        int id;
    };
    std::array<int, kByteTokens> byteId{};    // byte -> id of its symbol
    std::array<int, kByteTokens> byteEndId{}; // byte -> id of its symbol + "</w>"
    std::unordered_map<quint64, Merge> merges; // (left id, right id) -> rank, merged id
    int vocabSize = 0;
};

// Word -> BPE ids, shared by all copies of a tokenizer. Sharded so that
// concurrent encoders rarely wait on one another; a shard that grows past its
// cap is emptied, which bounds memory on corpora with millions of words.
struct ClipTokenizer::WordCache {
    static constexpr int kShards = 16;
    static constexpr size_t kMaxWordsPerShard = 1 << 16;
    struct Shard {
        mutable std::shared_mutex mutex;
        std::unordered_map<std::string, std::vector<int>> words;
    };
    std::array<Shard, kShards> shards;
};

ClipTokenizer::ClipTokenizer(std::shared_ptr<const Tables> tables, std::shared_ptr<WordCache> cache)
    : m_tables(std::move(tables)), m_cache(std::move(cache))
{
}

Result<ClipTokenizer> ClipTokenizer::load(const QString &mergesPath)
{
    QFile file(mergesPath);
    if (!file.exists())
        return makeError(ErrorCode::NotFound, QStringLiteral("CLIP merges file not found"), mergesPath);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(ErrorCode::IoError, QStringLiteral("cannot read the CLIP merges file: ") + file.errorString(),
                         mergesPath);
    QByteArray bytes = file.readAll();
    file.close();

    const bool gzipMagic = bytes.size() >= 2 && uchar(bytes[0]) == 0x1F && uchar(bytes[1]) == 0x8B;
    if (gzipMagic) {
        if (bytes.size() >= qsizetype(UINT_MAX))
            return makeError(ErrorCode::ParseError, QStringLiteral("merges file too large"), mergesPath);
        Result<QByteArray> unpacked = gunzip(bytes, mergesPath);
        if (!unpacked)
            return unpacked.error();
        bytes = std::move(unpacked).value();
    } else if (mergesPath.endsWith(QLatin1String(".gz"), Qt::CaseInsensitive)) {
        return makeError(ErrorCode::ParseError, QStringLiteral("not a gzip file (no gzip header)"), mergesPath);
    }

    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return makeError(ErrorCode::ParseError, QStringLiteral("merges file is not valid UTF-8"), mergesPath);
    bytes.clear();

    // CLIP reads lines[1 : 1 + kMergeCount]: the first line is a version header.
    QList<QStringView> lines;
    lines.reserve(kMergeCount + 1);
    for (qsizetype pos = 0; lines.size() < kMergeCount + 1 && pos < text.size();) {
        qsizetype nl = text.indexOf(u'\n', pos);
        if (nl < 0)
            nl = text.size();
        lines.append(QStringView(text).mid(pos, nl - pos));
        pos = nl + 1;
    }
    if (lines.size() < kMergeCount + 1)
        return makeError(ErrorCode::ParseError,
                         QStringLiteral("too few merges: the file has %1 after its header line, CLIP needs %2")
                             .arg(qMax<qsizetype>(0, lines.size() - 1))
                             .arg(kMergeCount),
                         mergesPath);

    // Vocabulary in CLIP's order; a later duplicate string wins, as in the
    // Python dict it builds.
    static const ByteOrder order;
    QHash<QString, int> encoder;
    encoder.reserve(2 * kByteTokens + kMergeCount + 2);
    int nextId = 0;
    for (int pos = 0; pos < kByteTokens; ++pos)
        encoder.insert(QString::fromUcs4(&order.charOf[order.byteAt[pos]], 1), nextId++);
    for (int pos = 0; pos < kByteTokens; ++pos)
        encoder.insert(QString::fromUcs4(&order.charOf[order.byteAt[pos]], 1) + kEndOfWord, nextId++);

    std::vector<std::pair<QString, QString>> pairs;
    pairs.reserve(kMergeCount);
    for (int i = 1; i <= kMergeCount; ++i) {
        // Python's str.split(): any run of whitespace separates.
        const QStringList parts = lines[i].toString().simplified().split(u' ', Qt::SkipEmptyParts);
        if (parts.size() != 2)
            return makeError(ErrorCode::ParseError,
                             QStringLiteral("malformed merge (expected two symbols separated by a space): \"%1\"")
                                 .arg(lines[i].left(80)),
                             mergesPath + QStringLiteral(":%1").arg(i + 1));
        pairs.emplace_back(parts[0], parts[1]);
        encoder.insert(pairs.back().first + pairs.back().second, nextId++);
    }
    nextId += 2; // <|startoftext|>, <|endoftext|>

    auto tables = std::make_shared<Tables>();
    tables->vocabSize = nextId;
    for (int b = 0; b < kByteTokens; ++b) {
        const QString symbol = QString::fromUcs4(&order.charOf[b], 1);
        tables->byteId[b] = encoder.value(symbol);
        tables->byteEndId[b] = encoder.value(symbol + kEndOfWord);
    }
    tables->merges.reserve(kMergeCount * 2);
    for (int rank = 0; rank < kMergeCount; ++rank) {
        const auto left = encoder.constFind(pairs[rank].first);
        const auto right = encoder.constFind(pairs[rank].second);
        if (left == encoder.cend() || right == encoder.cend())
            continue; // a symbol no word can contain: the merge never applies
        tables->merges[pairKey(left.value(), right.value())] =
            Tables::Merge{rank, encoder.value(pairs[rank].first + pairs[rank].second)};
    }
    return ClipTokenizer(std::move(tables), std::make_shared<WordCache>());
}

int ClipTokenizer::vocabSize() const
{
    return m_tables->vocabSize;
}

QString ClipTokenizer::cleanText(const QString &text)
{
    // strip() after unescaping is subsumed by the collapse-and-strip below.
    return pythonLower(collapseWhitespace(htmlUnescape(htmlUnescape(text))));
}

QVector<int> ClipTokenizer::encode(const QString &text) const
{
    const Tables &tables = *m_tables;
    WordCache &cache = *m_cache;
    QVector<int> ids;
    ids.append(kStartToken);

    const QString clean = cleanText(text);
    const QStringView s(clean);
    std::string word;
    std::vector<int> symbols;

    auto emitWord = [&](QStringView piece) {
        word.clear();
        appendUtf8(word, piece);
        WordCache::Shard &shard = cache.shards[std::hash<std::string>{}(word) % WordCache::kShards];
        {
            std::shared_lock lock(shard.mutex);
            const auto it = shard.words.find(word);
            if (it != shard.words.end()) {
                for (int id : it->second)
                    ids.append(id);
                return;
            }
        }
        symbols.clear();
        for (size_t k = 0; k + 1 < word.size(); ++k)
            symbols.push_back(tables.byteId[uchar(word[k])]);
        symbols.push_back(tables.byteEndId[uchar(word.back())]);
        // Repeatedly merge the lowest-ranked adjacent pair, all of its
        // non-overlapping occurrences from left to right, as CLIP's bpe() does.
        while (symbols.size() > 1) {
            int bestRank = INT_MAX;
            int left = 0, right = 0, merged = 0;
            for (size_t k = 0; k + 1 < symbols.size(); ++k) {
                const auto it = tables.merges.find(pairKey(symbols[k], symbols[k + 1]));
                if (it != tables.merges.end() && it->second.rank < bestRank) {
                    bestRank = it->second.rank;
                    left = symbols[k];
                    right = symbols[k + 1];
                    merged = it->second.id;
                }
            }
            if (bestRank == INT_MAX)
                break;
            size_t out = 0;
            for (size_t k = 0; k < symbols.size(); ++k) {
                if (k + 1 < symbols.size() && symbols[k] == left && symbols[k + 1] == right) {
                    symbols[out++] = merged;
                    ++k;
                } else {
                    symbols[out++] = symbols[k];
                }
            }
            symbols.resize(out);
        }
        for (int id : symbols)
            ids.append(id);
        std::unique_lock lock(shard.mutex);
        if (shard.words.size() >= WordCache::kMaxWordsPerShard)
            shard.words.clear();
        shard.words.emplace(word, symbols);
    };

    // CLIP's pattern, alternatives in order, as a hand-written scanner:
    // <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
    for (qsizetype i = 0; i < s.size();) {
        if (s[i] == u'<') {
            const QStringView special = matchesAt(s, i, kStartText) ? kStartText
                : matchesAt(s, i, kEndText)                         ? kEndText
                                                                    : QStringView();
            if (!special.isEmpty()) {
                const QStringView piece = s.mid(i, special.size());
                if (piece == kStartText)
                    ids.append(kStartToken);
                else if (piece == kEndText)
                    ids.append(kEndToken);
                else
                    emitWord(piece); // matched only case-insensitively (long s): an ordinary word
                i += special.size();
                continue;
            }
        }
        if (s[i] == u'\'') {
            if (const qsizetype n = contractionLength(s, i)) {
                emitWord(s.mid(i, n));
                i += n;
                continue;
            }
        }
        qsizetype w = 1;
        const CharClass cls = classify(codePointAt(s, i, &w));
        if (cls == CharClass::Space || cls == CharClass::Ignored) {
            i += w;
            continue;
        }
        if (cls == CharClass::Number) {
            emitWord(s.mid(i, w));
            i += w;
            continue;
        }
        qsizetype end = i + w;
        while (end < s.size()) {
            qsizetype nextWidth = 1;
            if (classify(codePointAt(s, end, &nextWidth)) != cls)
                break;
            end += nextWidth;
        }
        emitWord(s.mid(i, end - i));
        i = end;
    }

    ids.append(kEndToken);
    return ids;
}

QVector<qint64> ClipTokenizer::tokenize(const QString &text, int contextLength) const
{
    if (contextLength < 1)
        return {};
    const QVector<int> ids = encode(text);
    QVector<qint64> row(contextLength, 0);
    const qsizetype n = qMin<qsizetype>(ids.size(), contextLength);
    for (qsizetype k = 0; k < n; ++k)
        row[k] = ids[k];
    if (ids.size() > contextLength)
        row[contextLength - 1] = kEndToken;
    return row;
}

} // namespace rs
