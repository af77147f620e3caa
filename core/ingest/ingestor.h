#pragma once
// Ingest: streams documents from a source into the project store.
//
// Re-ingesting the same source adds nothing (documents are keyed by a stable
// document key). Images are keyed by their canonical file path, so a file
// referenced by many pages is one image with many references. Sentences are
// split and scored here (cheap, intrinsic to the text); the extract stage
// only decides from the stored scores, so a changed threshold never needs a
// re-ingest.

#include "core/util/jobcontext.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>

namespace rs {

class ProjectStore;

struct IngestOptions {
    QString format;      // html | mmc4 | obelics | wds
    QStringList paths;   // html: corpus folders; mmc4/obelics: .jsonl files; wds: .tar shards
    QString imagesDir;   // mmc4/obelics: where image files live (obelics default: the JSONL's folder)
    qint64 limit = -1;   // first N documents of the source (-1 = all)
    double sample = 1.0; // keep this fraction of documents, chosen by hash(seed, key)
    quint64 seed = 0;
};

struct IngestReport {
    qint64 documentsAdded = 0;
    qint64 documentsPresent = 0; // already in the project: skipped
    qint64 documentsFailed = 0;  // unreadable items, each recorded in the issue log
    qint64 sentencesAdded = 0;
    qint64 imageRefsAdded = 0;
    qint64 imagesAdded = 0;      // new distinct images (files or refused references)
};

QStringList ingestFormats();

// Decides membership of a reproducible random subset: true for about
// `fraction` of keys, the same ones for the same seed.
bool inSample(const QString &key, double fraction, quint64 seed);

Result<IngestReport> ingest(ProjectStore &store, const IngestOptions &options, JobContext &ctx);

} // namespace rs
