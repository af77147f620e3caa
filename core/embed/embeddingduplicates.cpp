#include "core/embed/embeddingduplicates.h"

#include "core/index/retriever.h"

#include <algorithm>

namespace rs {

Result<std::vector<SimilarPair>> embeddingDuplicatePairs(const Matrix &vectors, const QVector<qint64> &ids, float minSimilarity)
{
    std::vector<SimilarPair> pairs;
    if (ids.size() < 2)
        return pairs;
    auto hits = exactSearch(vectors, vectors, std::min<int>(kEmbeddingDuplicateNeighbours, int(ids.size())), minSimilarity);
    if (!hits)
        return hits.error();
    for (size_t i = 0; i < hits->size(); ++i)
        for (const Hit &h : (*hits)[i])
            if (h.item != qint64(i)) {
                const qint64 x = ids[qsizetype(i)], y = ids[qsizetype(h.item)];
                pairs.push_back({std::min(x, y), std::max(x, y), h.score});
            }
    // Both directions of a pair come back; keep one (the first found, as the
    // store's INSERT OR IGNORE did).
    std::stable_sort(pairs.begin(), pairs.end(), [](const SimilarPair &l, const SimilarPair &r) {
        return l.a != r.a ? l.a < r.a : l.b < r.b;
    });
    pairs.erase(std::unique(pairs.begin(), pairs.end(), [](const SimilarPair &l, const SimilarPair &r) { return l.a == r.a && l.b == r.b; }),
                pairs.end());
    return pairs;
}

} // namespace rs
