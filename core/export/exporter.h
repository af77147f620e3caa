#pragma once
// Exports the current selection (kept by filters, sampled by stage 4, minus
// curator rejections, plus curator acceptances) in formats training code
// reads as they are:
//   wds    WebDataset shards as RealSyn released them (img2dataset layout):
//          00000.tar ... with 9-digit keys, {key}.jpg, {key}.txt = text1,
//          {key}.json with text2, text3, syn_text and provenance;
//   csv    open_clip's CSV (filepath, title) over exported images;
//   jsonl  one record per sample with every text and score;
//   llava  the LLaVA conversation JSON (Croc-style LMM pre-training);
//   parquet  [<split>/]part-00000.parquet, one row per sample with RealSyn's
//          released columns (raw_image_url, text1, text2, text3, syn_text)
//          and ours (image_path, width, height, sha256, caption, cluster,
//          split, text1_score..text3_score, image_id); row groups of
//          export.parquet_row_group_rows rows (core/export/parquetwriter.h).
//
// Exports are atomic (written into a hidden folder beside OUTDIR and renamed
// at the end; a failure removes it) and deterministic (byte-identical for
// the same project and recipe: no timestamps, no absolute paths, fixed tar
// headers), and carry manifest.json (recipe, encoder, counts, checksums,
// sources' licences).

#include "core/store/settingfields.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

namespace rs {

// The recipe's export.* settings, typed (core/store/settingfields.h).
struct ExportSettings {
    int maxSide = 0;     // JPEG longer side cap (0 = original)
    int jpegQuality = 0; // 1..100
    qint64 parquetRowGroupRows = 0;
    QString llavaPrompts; // '|'-separated; one is chosen per sample

    template <class F>
    void fields(F &&f)
    {
        f(maxSide, "export.max_side");
        f(jpegQuality, "export.jpeg_quality");
        f(parquetRowGroupRows, "export.parquet_row_group_rows");
        f(llavaPrompts, "export.llava_prompts");
    }
    static ExportSettings fromRecipe(const Recipe &recipe)
    {
        ExportSettings s;
        readSettings(recipe, s);
        return s;
    }
};

class ProjectStore;
class Recipe;

struct ExportOptions {
    QString format;            // wds | csv | jsonl | llava | parquet
    QString outDir;
    qint64 limit = -1;         // first N selected samples (by id)
    double valFraction = 0;    // --split val=F: a seeded held-out subset in val/ (train/ holds the rest)
    int shardSize = 10000;     // wds samples per shard
    bool force = false;        // replace an existing OUTDIR
    QString caption = QStringLiteral("text1"); // csv: text1 | syn_text | all
    QChar csvSeparator = QLatin1Char('\t');
    QString compression = QStringLiteral("snappy"); // parquet: snappy | zstd | none
    // parquet and jsonl: write no image files (text-only export); rows then
    // carry no image path, and width, height and sha256 describe the source image.
    bool images = true;
    // Only these images (a lasso on the map, a search result, --ids FILE);
    // empty means the whole selection. An id outside the selection is not
    // exported (the selection is what the filters and the curator decided)
    // and is counted in ExportReport::outsideSelection.
    QVector<qint64> ids;
};

struct ExportReport {
    qint64 samples = 0;
    qint64 train = 0, val = 0;
    qint64 skipped = 0;       // e.g. llava samples without a synthetic text
    qint64 outsideSelection = 0; // ExportOptions::ids not in the selection
    qint64 files = 0;
    qint64 bytes = 0;
    QString outDir;
    QMap<QString, qint64> tableRows; // parquet: file (relative to OUTDIR) -> rows
};

// One selected sample as the writers read it: every exported field, taken
// from the store at one moment. A snapshot (core/export/snapshot.h) freezes
// these, so a later export writes exactly what an export then would have.
struct ExportSample {
    qint64 id = 0;
    QString path;              // image file read (and re-encoded) at export time
    int width = 0, height = 0;
    QString rejectReason;      // non-empty for a curator-accepted, filter-rejected image
    bool curatorAccepted = false;
    QStringList texts;         // text1..3 (retrieved, best first; may be shorter)
    QVector<double> scores;
    QString synText;
    bool synEdited = false;
    QString caption;
    QString generator;
    QVariant similarity;       // null when not computed
    QVariant cluster;          // null before sampling
    QString document, url;
    bool hasSynText = false;   // a generation or a curator's text exists (it may be empty)
    bool hasCaption = false;
    QString rawUrl;            // parquet's raw_image_url: the image's source URL, else its corpus-relative path
    QString sourceSha256;      // of the source file, as probed

    QJsonObject toJson() const;
    // ParseError naming the field when `o` is not what toJson() wrote.
    static Result<ExportSample> fromJson(const QJsonObject &o);
};

// What an export writes from: the selected samples (ascending id) and the
// manifest's project facts.
struct ExportSource {
    QVector<ExportSample> samples;
    QString encoder;     // manifest "encoder"
    QJsonArray sources;  // manifest "sources" (file names and licences)
};

// The project's current selection (kept by filters, sampled by stage 4,
// minus curator rejections, plus curator acceptances); the first `limit`
// samples by id when limit >= 0.
Result<ExportSource> currentExportSource(ProjectStore &store, qint64 limit = -1);

QStringList exportFormats();

// Refuses an output that an export must not write or replace, before
// anything is written: the file system root, anything inside a project
// folder, an existing file or link, a project folder or one that contains
// the project, an existing folder without force, and (with force) any folder
// that is not wholly a previous export (manifest.json written by us listing
// every file in it). exportSelection() calls it; a GUI may call it to check
// a destination early.
Status checkExportTarget(const QString &outDir, const QString &projectDir, bool force);

Result<ExportReport> exportSelection(ProjectStore &store, const Recipe &recipe, const ExportOptions &options, JobContext &ctx);

// Exports `source` with `recipe` (seed, export.* settings, the manifest's
// recipe); `projectDir` is the project the output must stay out of.
Result<ExportReport> exportSamples(const ExportSource &source, const QString &projectDir, const Recipe &recipe,
                                   const ExportOptions &options, JobContext &ctx);

} // namespace rs
