// realsyn ingest DIR --format html|mmc4|obelics|wds PATH...: add documents (--images DIR, --limit N, --sample F --seed S).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/ingest/ingestor.h"
#include "core/store/globalsettings.h"

namespace rs::cli {

namespace {

int handleIngest(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    if (pos.size() < 2 || !p.isSet(QStringLiteral("format")))
        return ingestCommand().usageError();
    if (!ingestFormats().contains(p.value(QStringLiteral("format"))))
        return fail(QStringLiteral("unknown format '%1' (expected %2)").arg(p.value(QStringLiteral("format")), ingestFormats().join(QLatin1Char('|'))), 2);
    auto project = openWithRecipe(pos.first(), ProjectStore::Access::ReadWrite);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;

    applyThreads(recipe);
    IngestOptions opts;
    opts.format = p.value(QStringLiteral("format"));
    opts.paths = pos.mid(1);
    opts.imagesDir = p.value(QStringLiteral("images"));
    opts.seed = GlobalSettings::fromRecipe(recipe).seed;
    applyIngestRecipe(opts, recipe);
    bool ok = true;
    if (p.isSet(QStringLiteral("limit"))) {
        opts.limit = p.value(QStringLiteral("limit")).toLongLong(&ok);
        if (!ok || opts.limit < 0)
            return fail(QStringLiteral("--limit expects a non-negative integer"), 2);
    }
    if (p.isSet(QStringLiteral("sample"))) {
        opts.sample = p.value(QStringLiteral("sample")).toDouble(&ok);
        if (!ok || opts.sample <= 0 || opts.sample > 1)
            return fail(QStringLiteral("--sample expects a fraction in (0, 1]"), 2);
    }
    if (p.isSet(QStringLiteral("seed"))) {
        opts.seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            return fail(QStringLiteral("--seed expects a non-negative integer"), 2);
    }
    TerminalJob job(QStringLiteral("ingest"));
    auto report = ingest(store, opts, job.ctx);
    job.printer.finish();
    if (!report)
        return fail(report.error());
    print(QStringLiteral("ingested %1 new documents (%2 already present, %3 unreadable%4): %5 sentences, %6 image references, %7 new images\n")
              .arg(report->documentsAdded)
              .arg(report->documentsPresent)
              .arg(report->documentsFailed)
              .arg(report->documentsTooComplex > 0 ? QStringLiteral(", %1 too complex").arg(report->documentsTooComplex) : QString())
              .arg(report->sentencesAdded)
              .arg(report->imageRefsAdded)
              .arg(report->imagesAdded));
    return 0;
}

} // namespace

const Command &ingestCommand()
{
    static const Command command{
        QStringLiteral("ingest"),
        QStringLiteral("DIR --format html|mmc4|obelics|wds PATH..."),
        QStringLiteral("add documents (--images DIR, --limit N, --sample F --seed S)"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}, {QStringLiteral("PATH"), QStringLiteral("source folders or files"), QStringLiteral("PATH...")}},
        {{QStringLiteral("format"), QStringLiteral("html|mmc4|obelics|wds"), QStringLiteral("FORMAT")},
         {QStringLiteral("images"), QStringLiteral("folder holding the image files (mmc4, obelics)"), QStringLiteral("DIR")},
         {QStringLiteral("limit"), QStringLiteral("ingest only the first N documents"), QStringLiteral("N")},
         {QStringLiteral("sample"), QStringLiteral("ingest a reproducible random fraction of documents"), QStringLiteral("FRACTION")},
         {QStringLiteral("seed"), QStringLiteral("seed of --sample (default: the recipe's seed)"), QStringLiteral("S")}},
        handleIngest,
    };
    return command;
}

} // namespace rs::cli
