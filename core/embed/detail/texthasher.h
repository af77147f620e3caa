#pragma once
// Hashed TF-IDF text features of the built-in encoder.
//
// Texts are lower-cased and split into words (runs of letters and digits;
// apostrophes inside a word are dropped, so "don't" == "dont"). Every word
// and every pair of neighbouring words is a term; a term's 64-bit hash picks
// a bucket (hash mod buckets) and a sign (the top bit), so that colliding
// terms cancel in expectation instead of adding up. Hashes are fixed (no
// seed) and the same on every platform.
//
// Thread-safety: all functions are pure; a TextHasher is immutable after
// construction and may be shared between threads.

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <vector>

namespace rs::detail {

// Sparse row: strictly increasing indices, one value each.
struct SparseVector {
    std::vector<int> index;
    std::vector<float> value;
};

// One text as distinct term hashes with their counts (unigrams and bigrams).
struct TermCounts {
    std::vector<quint64> hashes;
    std::vector<int> counts;
};

class TextHasher {
public:
    // buckets >= 1. idf: one weight per bucket (may be empty: all 1).
    TextHasher(int buckets, std::vector<float> idf);

    int buckets() const { return m_buckets; }
    const std::vector<float> &idf() const { return m_idf; }

    // Lower-cased words of a text, in order.
    static QStringList words(const QString &text);
    // Hash of one (already lower-cased) word; equals the unigram term hash.
    static quint64 wordHash(const QString &word);
    static TermCounts terms(const QString &text);

    int bucketOf(quint64 hash) const { return int(hash % quint64(m_buckets)); }

    // Distinct buckets a text touches (for document frequencies), sorted.
    std::vector<int> bucketsOf(const TermCounts &terms) const;
    // Sublinear tf (1 + ln count) x idf, signed by the hash, L2-normalised.
    // An empty text gives an empty vector.
    SparseVector tfidf(const TermCounts &terms) const;

    // Smoothed idf from document frequencies: ln((1 + n) / (1 + df)) + 1.
    static std::vector<float> idfFromCounts(const std::vector<qint64> &df, qint64 documents);

private:
    int m_buckets;
    std::vector<float> m_idf;
};

} // namespace rs::detail
