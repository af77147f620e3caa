#pragma once
// Stage 2b, retrieve: for every kept image, the most relevant realistic
// texts among the kept sentences, stored best first in `retrievals`.
//
// retrieve.mode:
//   hierarchical  the paper's method: FAISS k-means over sentence
//                 embeddings, then per query the nearest retrieve.clusters
//                 centres and the best sentences inside them, fused with
//                 the OCR, context and lexical signals (fusion.h);
//   exact         the same fusion with brute-force dense search;
//   document      MMC4's way: within each document a one-to-one assignment
//                 of images to sentences maximising total similarity
//                 (Hungarian), then the document's next best sentences.

#include "core/index/bm25index.h"
#include "core/index/fusion.h"
#include "core/index/querytexts.h"
#include "core/index/retrievesettings.h"
#include "core/pipeline/stage.h"
#include "core/util/matrix.h"

#include <QHash>
#include <QSet>
#include <QVector>

#include <memory>

namespace rs {

class ProjectStore;
class Recipe;

class RetrieveStage final : public IStage {
public:
    QString name() const override { return QStringLiteral("retrieve"); }
    QStringList settingKeys() const override { return settingKeysOf<RetrieveSettings>(); }
    Status run(ProjectStore &store, const Recipe &recipe, JobContext &ctx) override;

    static QString indexPath(ProjectStore &store);

    // Retrieve for a cluster (issue 14). Every step after the sentence
    // k-means is per image, so it splits into:
    // - the barrier job before the shards (`realsyn run DIR --prepare
    //   retrieve`): builds the k-means index over the kept sentences and
    //   saves it with a key of what it was built from (the stage itself
    //   builds it the same way);
    static Status prepareIndex(ProjectStore &store, const Recipe &recipe, JobContext &ctx);
    // - one shard's part: the retrievals of the kept images of `main` in
    //   `wanted`, exactly the rows the stage gives them, written with their
    //   notes into `out` (a shard store). Uses the saved index; fails when
    //   it is missing or was built from other sentences or settings.
    //   Returns how many images it answered for.
    static Result<qint64> retrieveInto(ProjectStore &main, const Recipe &recipe, const QSet<qint64> &wanted, ProjectStore &out,
                                       JobContext &ctx);
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

// What fused retrieval searches: the kept embedded sentences, their texts'
// BM25 index (same rows) and each id's row.
struct SentencePool {
    EmbeddedItems items;
    Bm25Index lexical;
    QHash<qint64, qint64> row; // sentence id -> row
};
Result<SentencePool> loadSentencePool(ProjectStore &store);

class HierarchicalRetriever;
// The dense search of the recipe's mode: brute force for `exact`, else the
// k-means hierarchy `index` probing retrieve.clusters centres.
DenseSearch denseSearchFor(const Recipe &recipe, const Matrix &sentences, const HierarchicalRetriever *index);

// The fusion input for `images` (rows follow images.ids): image vectors,
// query texts, their text-tower vectors (skipped with a warning when the
// project has no text encoder, e.g. imported vectors), excluded rows.
Result<FusionInput> buildFusionInput(ProjectStore &store, const Recipe &recipe, const EmbeddedItems &images,
                                     const SentencePool &pool, const QHash<qint64, ImageQueryText> &texts, JobContext &ctx);

} // namespace rs
