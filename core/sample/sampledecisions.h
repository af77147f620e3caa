#pragma once
// The sample decision kernel: which kept images balance sampling selects,
// and why the others are left out, decided in one place. SampleStage writes
// its result; LiveDecisions previews with the same code on the stored
// clusters, so the preview's counts are the stage's counts.
//
// Order (reasons of ReasonTable::Sample): no_embedding, missing_texts (no
// retrieved text or no synthetic text: nothing selected may lack them),
// below_band / above_band (image–synthetic similarity band), cluster_cap.
// Clusters are computed by the stage over every kept image that has an
// embedding, independently of the band, so moving the band never moves
// clusters.
// Thread-safety: decideSample is pure and reentrant.

#include "core/store/settingfields.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace rs {

class ProjectStore;
class Recipe;

struct SampleSettings {
    QString band;          // absolute | percentile | off (auto resolved by fromRecipe with clipFamily)
    double minSimilarity = 0, maxSimilarity = 1;
    double lowPercentile = 0, highPercentile = 0; // percent cut from each end
    QString method;        // cap | metaclip
    bool metaclip = false; // method == metaclip (set by fromRecipe)
    qint64 cap = 0;
    double t = 0;
    quint64 seed = 0;

    // The one binding of fields to recipe keys (core/store/settingfields.h).
    template <class F>
    void fields(F &&f)
    {
        f(band, "sample.band");
        f(minSimilarity, "sample.min_similarity");
        f(maxSimilarity, "sample.max_similarity");
        f(lowPercentile, "sample.low_percentile");
        f(highPercentile, "sample.high_percentile");
        f(method, "sample.method");
        f(cap, "sample.cap");
        f(t, "sample.t");
        f(seed, "seed", SettingUse::NotLive);
    }
    static SampleSettings fromRecipe(const Recipe &recipe, bool clipFamily);
    static QStringList recipeKeys(bool liveOnly = false);
};

// The image clustering that balancing caps; cached apart from the band and
// cap (SampleStage), so only these re-cluster. Its k-means seed is fixed:
// the clustering must not change with the sampling seed.
struct SampleClusterSettings {
    qint64 clusters = 0; // 0 = about sqrt(images)
    int iterations = 0;

    template <class F>
    void fields(F &&f)
    {
        f(clusters, "sample.clusters", SettingUse::NotLive);
        f(iterations, "sample.kmeans_iterations", SettingUse::NotLive);
    }
};

// Per image row, aligned with ImageFilterInputs' rows.
struct SampleInputs {
    std::vector<quint8> hasEmbedding;
    std::vector<quint8> hasTexts;   // a retrieved text and a non-empty synthetic text
    std::vector<float> similarity;  // image–synthetic similarity, NaN = none
    std::vector<qint32> cluster;    // stored cluster, -1 = none
};

struct SampleVerdictColumns {
    static constexpr quint8 kNotJudged = 255; // refused by a filter: not the sample stage's business
    std::vector<quint8> code;                 // 0 = selected, else 1 + index in reasonCodes(Sample)
    std::vector<qint32> assignment;           // cluster of rows the cap judged, else -1
    QString bandMode;                         // absolute | percentile | none
    double low = 0, high = 0;
    qint64 withoutSimilarity = 0;             // in the band's reach but no similarity: kept
    std::vector<qint64> clusterSizes;         // rows per cluster that the cap judged
    qint64 capped = 0;                        // rows cluster_cap removes
};

// Rows: every row's code, cluster_cap included (the stage). Counts: for the
// cap method, cluster_cap rows keep code 0 and only `capped` counts them
// (exactly min(size, cap) stay per cluster, without drawing which).
enum class SampleDetail { Rows, Counts };

// How many members of a cluster of `size` the cap keeps: exactly
// min(size, cap) for the cap method; min(size, t) in expectation for
// MetaCLIP (each member with probability min(1, t / size)).
double keptOfCluster(qint64 size, const SampleSettings &settings);

// filterCodes: the image filter verdicts per row (0 = kept).
SampleVerdictColumns decideSample(const SampleInputs &in, const std::vector<quint8> &filterCodes, const SampleSettings &settings,
                                  SampleDetail detail = SampleDetail::Rows);

// Reads the sample inputs for the rows `ids` (ascending image ids).
Result<SampleInputs> loadSampleInputs(ProjectStore &store, const std::vector<qint64> &ids);

} // namespace rs
