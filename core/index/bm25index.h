#pragma once
// Lexical retrieval: an in-memory BM25 inverted index over short texts (the
// kept sentences), built once and searched many times.
//
// Why not SQLite FTS5's bm25(): it scores every row that matches a query
// term, and a frequent term at 1M sentences costs 170–730 ms a query. Here
// query terms are capped (the rarest maxQueryTerms, i.e. those with the
// highest IDF, within a budget of postings), stop words are dropped at
// tokenization, and posting weights are precomputed, so a query touches only
// the postings of its rarer terms.
//
// Tokenization (tokenize()): lower case, runs of letters/digits, English stop
// words and one-letter tokens dropped, a light plural/possessive strip
// ("layers" -> "layer", "image's" -> "image"). Queries and documents go
// through the same function.
//
// Scores: Okapi BM25 with Lucene's always-positive IDF,
//   idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)),
//   w(t, d) = tf (k1 + 1) / (tf + k1 (1 - b + b |d| / avgdl)),
// and query-term saturation qtf (k3 + 1) / (qtf + k3), k3 = 1.5: a word the
// query repeats counts more, but not linearly.
// Results are Hit lists (item = row of the texts given to build()), best
// first, only items with a positive score; equal scores by lower item.
//
// Thread-safety: after build() every method is const and may run
// concurrently; each thread keeps one scratch accumulator (n floats).

#include "core/index/retriever.h"

#include "core/util/result.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

class QDataStream;

namespace rs {

// What the studio's text search and the retrieval stage need from a text
// index: ranked items for a free-text query.
class ITextIndex {
public:
    virtual ~ITextIndex() = default;
    virtual qint64 size() const = 0; // number of indexed texts (rows)
    // Top k rows for `query`, best first (empty when no query term is indexed).
    virtual std::vector<Hit> search(const QString &query, int k) const = 0;
};

struct Bm25Options {
    float k1 = 1.2f;
    float b = 0.75f;
    int maxQueryTerms = 64; // rarest distinct terms kept per query
    // Postings one query may scan: rarest terms first, a term that would
    // pass the budget is skipped (the rarest is always kept). Bites only on
    // large pools, where the most frequent query terms act as stop words
    // (they carry the least IDF), and bounds latency there.
    qint64 maxPostings = 200000;
};

class Bm25Index final : public ITextIndex {
public:
    Bm25Index();
    Bm25Index(Bm25Index &&) noexcept;
    Bm25Index &operator=(Bm25Index &&) noexcept;
    ~Bm25Index() override;

    // Indexes `texts` (row i = item i). Empty texts are allowed (never found).
    static Bm25Index build(const QStringList &texts, const Bm25Options &opts = {});

    qint64 size() const override;
    std::vector<Hit> search(const QString &query, int k) const override;
    // One list per query, computed in parallel (OpenMP).
    HitLists searchBatch(const QStringList &queries, int k) const;
    // The BM25 score of each of `rows` for `query` (0 where a row shares no
    // (capped) query term); costs one search.
    std::vector<float> scoreRows(const QString &query, const std::vector<qint64> &rows) const;
    // Query terms search() would use for `query` after capping, rarest first
    // (walks the whole vocabulary: for tests and the UI, not per query).
    QStringList queryTerms(const QString &query) const;
    qint64 termCount() const;

    static QStringList tokenize(const QString &text);
    static bool isStopWord(const QString &lowerWord);

    // The whole index to / from a stream (a cache: the studio and `realsyn
    // search` reuse an index instead of rebuilding it, minutes at 1M texts).
    // read() gives ParseError for a stream write() did not produce.
    void write(QDataStream &out) const;
    static Result<Bm25Index> read(QDataStream &in);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace rs
