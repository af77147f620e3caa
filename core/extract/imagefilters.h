#pragma once
// The image filter decision kernel: every image verdict (extract's filters and
// embed's embedding_duplicate) decided in one place, columnar, from stored
// scores. ExtractStage and EmbedStage write its result; LiveDecisions (the
// studio's instant preview), stats and the inspector read the same code, so
// a preview can never disagree with the stage.
//
// Reasons are codes into reasonCodes(ReasonTable::Images) (0 = kept, k = the
// (k-1)-th reason), in registry order: each image is refused for its first
// failing reason.
//
// Duplicate grouping is redone over the survivors of the earlier filters on
// every decision, from graphs computed once: the perceptual-hash graph
// (nearDuplicateGraph over decodable images) and the embedding pairs the
// embed stage stored. So changing a threshold and changing it back restores
// every verdict exactly, embedding duplicates included.
//
// In each duplicate group the curator's keeper (core/store/curation.h,
// duplicate_keepers) keeps; without one, the member with the most pixels
// (ties: the lowest id). The keeper is an input like any score, so every
// caller of the kernel honours it.
//
// Thread-safety: decideImageFilters is pure and reentrant.

#include "core/store/settingfields.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QStringList>
#include <QVector>

#include <utility>
#include <vector>

namespace rs {

class ProjectStore;
class Recipe;

// The settings the kernel reads, typed, from one place.
struct ImageFilterSettings {
    qint64 minSide = 0;
    qint64 maxPixels = 0;
    double maxAspect = 0;
    double maxBrisque = 0; // <= 0: off
    bool nearDuplicates = true;
    int phashDistance = 0; // structural: the graph is built for it (not live)

    // The one binding of fields to recipe keys (core/store/settingfields.h),
    // in the order the studio lists them.
    template <class F>
    void fields(F &&f)
    {
        f(minSide, "extract.min_side");
        f(maxAspect, "extract.max_aspect");
        f(maxPixels, "extract.max_pixels");
        // BRISQUE scores are not held in memory, so the studio applies it by a run.
        f(maxBrisque, "extract.max_brisque", SettingUse::NotLive);
        f(nearDuplicates, "extract.near_duplicates");
        f(phashDistance, "extract.phash_distance", SettingUse::NotLive);
    }
    static ImageFilterSettings fromRecipe(const Recipe &recipe);
    static QStringList recipeKeys(bool liveOnly = false);
};

// Which rows may be duplicates of which: rows that share a node are joined,
// and so are the nodes of an edge. Only rows that can be joined to another
// row have a node (compact() drops the rest), so deciding touches few rows.
struct DuplicateGraph {
    std::vector<qint32> node;                    // per row, -1 = alone
    qint32 nodes = 0;
    std::vector<std::pair<qint32, qint32>> edges; // node pairs

    // Renumbers the nodes that a row shares with another row or that an edge
    // touches; every other row becomes -1.
    void compact();
};

// One entry per image in ascending id order ("rows").
struct ImageFilterInputs {
    QStringList reasons;             // reasonCodes(Images) + unknown stored refusal/failure codes
    std::vector<qint64> id;
    std::vector<qint32> width, height;
    std::vector<quint8> fixedReason; // refusal or probe failure (code), 0 = decodable
    std::vector<float> brisque;      // < 0 = not scored
    std::vector<qint32> shaGroup;    // same sha256 among decodable images, -1 = unique
    qint32 shaGroups = 0;
    DuplicateGraph phash;            // nearDuplicateGraph over decodable images
    DuplicateGraph embedding;        // the embed stage's pairs (image_pairs)
    std::vector<quint64> phashValue; // 64-bit perceptual hash (0 where not decodable)
    std::vector<quint8> curatorKeeper; // 1 = the curator's keeper of its groups; empty = none

    qint64 rowOf(qint64 imageId) const; // -1 when absent
};

struct ImageVerdictColumns {
    std::vector<quint8> code;        // 0 = kept
    std::vector<qint32> duplicateOf; // row of the kept copy, -1 = none
};

ImageVerdictColumns decideImageFilters(const ImageFilterInputs &in, const ImageFilterSettings &settings);

// One image's score against each threshold filter, for explaining a
// decision (the inspector): the same tests the kernel applies, in its order.
struct ImageFilterCheck {
    QString key;       // the setting, e.g. "extract.min_side"
    double score = 0;  // the image's value
    double threshold = 0;
    bool passes = true;
};
QVector<ImageFilterCheck> imageFilterChecks(int width, int height, float brisque, const ImageFilterSettings &settings);

// Reads the inputs from a project; the perceptual-hash graph is built for
// phashDistance. ctx (optional) gets progress and can cancel.
Result<ImageFilterInputs> loadImageFilterInputs(ProjectStore &store, int phashDistance, const JobContext *ctx = nullptr);

// The perceptual-hash graph of `in`'s decodable rows for maxDistance (from
// phashValue, width and height): what loadImageFilterInputs() builds, for
// previewing another extract.phash_distance without reading the store.
DuplicateGraph phashDuplicateGraph(const ImageFilterInputs &in, int maxDistance);
// The graph of image-id pairs (the embedding pairs): a node per row in a
// pair; ids not among `in`'s rows are skipped.
DuplicateGraph pairDuplicateGraph(const ImageFilterInputs &in, const std::vector<std::pair<qint64, qint64>> &idPairs);

// Loads, decides and writes every image verdict (the one path stages use).
Status redecideImages(ProjectStore &store, const Recipe &recipe, JobContext &ctx);

} // namespace rs
