#pragma once
// LiveDecisions: the score columns behind the filter settings, held in
// memory as flat arrays (one entry per image / sentence, in id order), so
// that a changed threshold is re-decided with a few vectorised passes and no
// SQL. The threshold panel and the sample browser preview with it; applying
// a value for real still goes through Recipe + ExtractStage / SampleStage.
//
// Fidelity: the decisions are the stages' own kernels (decideImageFilters,
// decideSentenceFilters, decideSample) over the same columns, so a preview
// equals what the stage would write. The perceptual-hash graph is built at
// load() for the phash distance in force then: changing
// extract.phash_distance is not previewed (isLive() is false); load again.
// Sample previews use the stored clusters, which the sample stage computes
// over all kept images; images kept since then have none and are not capped.
//
// Memory: about 54 bytes per image and 30 per sentence (1M of each ~84 MB).
// Thread-safety: a loaded object is immutable (its internal caches are
// guarded); decide() is const and may run on any thread concurrently.

#include "core/extract/imagefilters.h"
#include "core/extract/sentencefilters.h"
#include "core/sample/sampledecisions.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <vector>

namespace rs {

class ProjectStore;
class Recipe;

class LiveDecisions {
public:
    enum class Table { Images, Sentences, Sample, None };

    // The kernels' inputs (extract/imagefilters.h, sample/sampledecisions.h)
    // plus what the browser sorts by, one entry per image in id order.
    struct ImageColumns : ImageFilterInputs, SampleInputs {
        std::vector<float> clusterScore;  // NaN = none
        std::vector<qint8> sampled;       // stored sample decision: -1 = not run, 0, 1
    };
    using SentenceColumns = SentenceFilterInputs;

    // Counts per final decision; byReason[k] counts reason k of
    // reasonNames(table) (the first failing one, as the stages count).
    struct Counts {
        qint64 total = 0;
        qint64 kept = 0;
        std::vector<qint64> byReason;
    };
    // Distribution of the score a setting thresholds, split by the final
    // decision. Bin i covers [edges[i], edges[i+1]) (the last bin is closed);
    // edges span the data's range, evenly in log10(1 + score) when logScale.
    struct Histogram {
        QString key;
        QString scoreName;          // axis label, e.g. "shorter side (px)"
        bool logScale = false;      // edges are spaced evenly in log10(1 + score)
        std::vector<double> edges;  // bins + 1 edges in score units
        double threshold = 0;       // the setting's value in score units
        std::vector<double> kept, dropped; // per bin
    };
    struct Outcome {
        Table table = Table::None;
        Counts counts;
        Histogram histogram;
        // Per row of the table's columns: 0 = kept, else 1 + reason index.
        // Empty for Table::Sample (which counts clusters, not rows).
        std::vector<quint8> codes;
        double elapsedMs = 0;
    };

    // Reads the columns (and groups near duplicates) from a project; on any
    // thread with its own connection. ctx (optional) gets progress.
    static Result<LiveDecisions> load(ProjectStore &store, const Recipe &recipe, const JobContext *ctx = nullptr);
    // A deterministic synthetic corpus with realistic score distributions,
    // duplicate groups and Zipf-sized clusters (benchmarks and tests).
    static LiveDecisions synthetic(qint64 images, qint64 sentences, quint64 seed);

    // The settings this class previews, and which table each decides.
    static QStringList liveKeys();
    static bool isLive(const QString &key) { return tableOf(key) != Table::None; }
    static Table tableOf(const QString &key);

    const ImageColumns &images() const { return m_images; }
    const SentenceColumns &sentences() const { return m_sentences; }
    QStringList reasonNames(Table table) const;
    qint64 rowOfImage(qint64 imageId) const; // -1 when absent (binary search)

    // Re-decides the table `key` belongs to under `recipe` and bins that
    // key's score (bins >= 1). Pure; typically a few ms per million rows.
    Outcome decide(const Recipe &recipe, const QString &key, int bins = 60) const;

    LiveDecisions();

    // The building blocks of decide(), for callers that need only one.
    std::vector<quint8> decideImages(const Recipe &recipe) const;
    std::vector<quint8> decideSentences(const Recipe &recipe) const;
    Counts count(Table table, const std::vector<quint8> &codes) const;
    // The histogram of `key`'s score split by `codes` (decide()'s codes for
    // the key's table), without deciding again: other rows of a panel
    // follow one change in a single pass each.
    Histogram histogramOf(const QString &key, const Recipe &recipe, const std::vector<quint8> &codes, int bins = 60) const
    {
        return histogram(key, recipe, codes, bins);
    }

private:
    Outcome decideSample(const Recipe &recipe, const QString &key, int bins) const;

    Histogram histogram(const QString &key, const Recipe &recipe, const std::vector<quint8> &codes, int bins) const;
    // Scores never change with thresholds: each score's bin per row is
    // computed once (per bin count) and shared by copies of this object.
    struct ScoreBins;
    std::shared_ptr<const ScoreBins> scoreBins(const QString &score, int bins) const;
    std::vector<quint8> extractCodesCached(const Recipe &recipe) const;
    struct Cache;
    std::shared_ptr<Cache> m_cache;

    ImageColumns m_images;  // m_images.reasons: the registry's + unknown stored ones
    bool m_clipFamily = false;
    SentenceColumns m_sentences;
};

} // namespace rs
