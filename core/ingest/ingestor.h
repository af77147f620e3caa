#pragma once
// Ingest: streams documents from a source into the project store.
//
// Re-ingesting the same source adds nothing (documents are keyed by a stable
// document key). Images are keyed by their canonical file path, so a file
// referenced by many pages is one image with many references. Sentences are
// split and scored here (cheap, intrinsic to the text); the extract stage
// only decides from the stored scores, so a changed threshold never needs a
// re-ingest. Into a project with no sentences yet, ingest also writes each
// sentence's verdict under the recipe's filters (SentenceVerdictStream, the
// same rules): extract's pass then finds them decided, instead of rewriting
// most rows of the table a moment later.

#include "core/extract/sentencefilters.h"
#include "core/ingest/htmlreader.h"
#include "core/ingest/wdsreader.h"
#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace rs {

class ProjectStore;
class Recipe;

struct IngestOptions {
    QString format;      // html | mmc4 | obelics | wds
    QStringList paths;   // html: corpus folders; mmc4/obelics: .jsonl files; wds: .tar shards
    QString imagesDir;   // mmc4/obelics: where image files live (obelics default: the JSONL's folder)
    qint64 limit = -1;   // first N documents of the source (-1 = all)
    double sample = 1.0; // keep this fraction of documents, chosen by hash(seed, key)
    quint64 seed = 0;
    // Limits on hostile input (the recipe's ingest.* settings; see
    // applyIngestRecipe). A page over an HTML limit is counted as too complex
    // and logged; a larger tar image member is refused as "too_large", and a
    // shard over a shard limit is read up to it and logged.
    HtmlLimits html;
    WdsLimits wds;
    // The recipe's sentence filters (applyIngestRecipe): with them, the
    // sentences of a project that has none yet are written decided. Without,
    // they are written undecided, for extract.
    std::optional<SentenceFilterSettings> sentenceFilters;

    // The limits' recipe keys, bound once (core/store/settingfields.h).
    template <class F>
    void fields(F &&f)
    {
        f(html.maxBytes, "ingest.html_max_bytes");
        f(html.maxDepth, "ingest.html_max_depth");
        f(html.maxNodes, "ingest.html_max_nodes");
        f(html.maxMillis, "ingest.html_max_ms");
        f(wds.maxMemberBytes, "ingest.max_member_bytes");
        f(wds.maxMembers, "ingest.max_tar_members");
        f(wds.maxExpansion, "ingest.max_expansion");
    }
};

struct IngestReport {
    qint64 documentsAdded = 0;
    qint64 documentsPresent = 0; // already in the project: skipped
    qint64 documentsFailed = 0;  // unreadable items, pages refused while listing and unreadable
                                 // sources (a broken shard), each recorded in the issue log
    qint64 documentsTooComplex = 0; // over a limit (reason too_complex), each recorded in the issue log
    qint64 sentencesAdded = 0;
    qint64 imageRefsAdded = 0;
    qint64 imagesAdded = 0;      // new distinct images (files or refused references)
};

QStringList ingestFormats();

// Decides membership of a reproducible random subset: true for about
// `fraction` of keys, the same ones for the same seed.
bool inSample(const QString &key, double fraction, quint64 seed);

// Copies the ingest.* limits and the sentence filters from the recipe into
// options.
void applyIngestRecipe(IngestOptions &options, const Recipe &recipe);

// A source that cannot be read at all (a corrupt shard, an unreadable JSONL
// file) is recorded in the issue log and counted as failed, and the other
// sources are still read.
Result<IngestReport> ingest(ProjectStore &store, const IngestOptions &options, JobContext &ctx);

} // namespace rs
