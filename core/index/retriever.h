#pragma once
// Stage 2 retrieval: for each query (an image embedding) the k best sentences
// by inner product, either hierarchically (the paper's method: nearest k-means
// centres first, then the sentences inside them) or exactly (brute force).
//
// Inputs are row-major Matrix batches: `sentences` is n x d, `queries` is
// q x d with the same d. Scores are inner products, i.e. cosine similarities
// when rows are L2-normalised (normalise them first; nothing here does it).
// Results: one hit list per query row, best first, at most k hits, only hits
// with score >= minScore; equal scores are ordered by lower item index.

#include "core/index/kmeans.h"
#include "core/util/matrix.h"
#include "core/util/result.h"

#include <QString>

#include <memory>
#include <vector>

namespace rs {

struct Hit {
    qint64 item = -1; // row of the sentence matrix
    float score = 0;  // inner product with the query
};

using HitLists = std::vector<std::vector<Hit>>; // one list per query row

struct RetrieveOptions {
    int k = 3;            // hits per query (the paper keeps 3 realistic texts)
    int clusters = 1;     // nearest centres probed (clamped to the number of centres)
    float minScore = -2.f; // hits below this score are dropped (-2 keeps all cosines)
};

// Built once from all sentence embeddings, then searched many times.
// The index keeps its own copy of the sentence vectors (n * d floats, grouped
// by cluster), so the caller's matrix can be freed after build().
// Thread-safety: search() and the accessors are const and may run concurrently;
// search() itself uses all hardware threads (OpenMP).
class HierarchicalRetriever {
public:
    // K-means over `sentences` (see kmeans()), then an inverted list per centre.
    // Errors as kmeans(); Internal if FAISS fails.
    static Result<HierarchicalRetriever> build(const Matrix &sentences, const KMeansOptions &opts);

    // Reads an index written by save(). NotFound / IoError / ParseError
    // (not an index this class wrote, or a damaged one).
    static Result<HierarchicalRetriever> load(const QString &path);

    HierarchicalRetriever(HierarchicalRetriever &&) noexcept;
    HierarchicalRetriever &operator=(HierarchicalRetriever &&) noexcept;
    ~HierarchicalRetriever();

    // Probes the opts.clusters nearest centres of each query (by inner
    // product when built with sphericalCosine, else by L2) and returns the
    // top opts.k sentences found in them. Fewer than k hits when the probed
    // clusters hold fewer sentences above minScore.
    // Errors (InvalidArgument): empty queries, wrong dimension, NaN values,
    // k < 1, clusters < 1.
    Result<HitLists> search(const Matrix &queries, const RetrieveOptions &opts) const;

    // Writes the index (FAISS IndexIVFFlat: centres + sentence vectors) to
    // `path` atomically (temporary file, then rename).
    Status save(const QString &path) const;

    // The clustering the index was built from (after load(): rebuilt from the
    // file; `distance` recomputed).
    const KMeansResult &clustering() const;
    qint64 sentenceCount() const;
    int dimension() const;

private:
    struct Impl;
    explicit HierarchicalRetriever(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// Exact mode: brute force over all sentences (same output shape and ordering
// as HierarchicalRetriever::search). Errors (InvalidArgument): either matrix
// empty or holding NaN, dimensions differ, k < 1.
Result<HitLists> exactSearch(const Matrix &sentences, const Matrix &queries, int k, float minScore = -2.f);

// The same answers, each query scored with the same kernel as the
// hierarchical scan whatever else is in its batch: exactSearch's BLAS
// rounds a score differently with the number of queries, so a shard of
// images would not retrieve exactly what the whole corpus does. Several
// times slower than exactSearch; what the retrieve stage's exact mode uses.
Result<HitLists> exactScan(const Matrix &sentences, const Matrix &queries, int k, float minScore = -2.f);

} // namespace rs
