#include "core/embed/detail/texthasher.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace rs::detail {

namespace {

// splitmix64 finaliser: spreads FNV's weak low bits, which pick the bucket.
quint64 mix(quint64 x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

quint64 fnv1a(const QString &s)
{
    quint64 h = 0xCBF29CE484222325ULL;
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        h = (h ^ quint64(u & 0xFF)) * 0x100000001B3ULL;
        h = (h ^ quint64(u >> 8)) * 0x100000001B3ULL;
    }
    return h;
}

quint64 bigramHash(quint64 first, quint64 second)
{
    return mix(first * 0x100000001B3ULL ^ (second << 1 | second >> 63) ^ 0x5BD1E995ULL);
}

} // namespace

TextHasher::TextHasher(int buckets, std::vector<float> idf)
    : m_buckets(std::max(1, buckets)), m_idf(std::move(idf))
{
}

QStringList TextHasher::words(const QString &text)
{
    QStringList out;
    QString current;
    const QString lower = text.toLower();
    for (const QChar c : lower) {
        if (c.isLetterOrNumber() || c.isMark()) {
            current.append(c);
        } else if ((c == u'\'' || c == u'\u2019') && !current.isEmpty()) {
            continue; // "don't" -> "dont"
        } else if (!current.isEmpty()) {
            out.append(current);
            current.clear();
        }
    }
    if (!current.isEmpty())
        out.append(current);
    return out;
}

quint64 TextHasher::wordHash(const QString &word)
{
    return mix(fnv1a(word));
}

TermCounts TextHasher::terms(const QString &text)
{
    const QStringList ws = words(text);
    std::unordered_map<quint64, int> counts;
    quint64 previous = 0;
    for (qsizetype i = 0; i < ws.size(); ++i) {
        const quint64 h = wordHash(ws[i]);
        ++counts[h];
        if (i > 0)
            ++counts[bigramHash(previous, h)];
        previous = h;
    }
    TermCounts out;
    out.hashes.reserve(counts.size());
    for (const auto &entry : counts)
        out.hashes.push_back(entry.first);
    // Sorted so that float sums below run in a fixed order (determinism).
    std::sort(out.hashes.begin(), out.hashes.end());
    out.counts.reserve(out.hashes.size());
    for (quint64 h : out.hashes)
        out.counts.push_back(counts[h]);
    return out;
}

std::vector<int> TextHasher::bucketsOf(const TermCounts &terms) const
{
    std::vector<int> out;
    out.reserve(terms.hashes.size());
    for (quint64 h : terms.hashes)
        out.push_back(bucketOf(h));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

SparseVector TextHasher::tfidf(const TermCounts &terms) const
{
    std::vector<std::pair<int, double>> entries;
    entries.reserve(terms.hashes.size());
    for (size_t i = 0; i < terms.hashes.size(); ++i) {
        const quint64 h = terms.hashes[i];
        const int bucket = bucketOf(h);
        const double sign = (h >> 63) ? -1.0 : 1.0;
        const double idf = m_idf.empty() ? 1.0 : double(m_idf[size_t(bucket)]);
        entries.emplace_back(bucket, sign * (1.0 + std::log(double(terms.counts[i]))) * idf);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    SparseVector out;
    double norm = 0;
    for (size_t i = 0; i < entries.size();) {
        const int bucket = entries[i].first;
        double v = 0;
        for (; i < entries.size() && entries[i].first == bucket; ++i)
            v += entries[i].second;
        if (v != 0) {
            out.index.push_back(bucket);
            out.value.push_back(float(v));
            norm += v * v;
        }
    }
    if (norm > 0) {
        const float inv = float(1.0 / std::sqrt(norm));
        for (float &v : out.value)
            v *= inv;
    }
    return out;
}

std::vector<float> TextHasher::idfFromCounts(const std::vector<qint64> &df, qint64 documents)
{
    std::vector<float> idf(df.size());
    for (size_t i = 0; i < df.size(); ++i)
        idf[i] = float(std::log((1.0 + double(documents)) / (1.0 + double(df[i]))) + 1.0);
    return idf;
}

} // namespace rs::detail
