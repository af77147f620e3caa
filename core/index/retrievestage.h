#pragma once
// Stage 2b, retrieve: for every kept image, the most relevant realistic
// texts among the kept sentences, stored best first in `retrievals`.
//
// retrieve.mode:
//   hierarchical  the paper's method: FAISS k-means over sentence
//                 embeddings, then per image the nearest retrieve.clusters
//                 centres and the top retrieve.k sentences inside them;
//   exact         brute force over all sentences (small projects, checking);
//   document      MMC4's way: within each document a one-to-one assignment
//                 of images to sentences maximising total similarity
//                 (Hungarian), then the document's next best sentences.

#include "core/pipeline/stage.h"
#include "core/util/matrix.h"

#include <QVector>

namespace rs {

class ProjectStore;
class Recipe;

class RetrieveStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("retrieve"); }
    QStringList settingKeys() const override { return {QStringLiteral("retrieve.")}; }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;

    static QString indexPath(ProjectStore &store);
};

// Kept items and their vectors, loaded from the embedding store. Rows of
// `vectors` follow `ids`; items without a vector are left out.
struct KMeansOptions;
// The sentence k-means as the recipe sets it (retrieve.kmeans_*), never
// more clusters than `points`.
KMeansOptions sentenceKMeansOptions(const Recipe &recipe, qint64 points);

struct EmbeddedItems {
    QVector<qint64> ids;
    Matrix vectors;
};
Result<EmbeddedItems> loadKeptImageEmbeddings(ProjectStore &store);
Result<EmbeddedItems> loadKeptSentenceEmbeddings(ProjectStore &store);

} // namespace rs
