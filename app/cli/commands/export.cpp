// realsyn export DIR --format wds|csv|jsonl|llava|parquet --out OUTDIR [--limit N] [--split val=0.05] [--shard-size N]: write the selection (--caption, --csv-separator, --force).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/export/exporter.h"
#include "core/export/parquetwriter.h"
#include "core/export/snapshot.h"
#include "core/util/idlist.h"

#include <QFile>

#include <cmath>

namespace rs::cli {

namespace {

int handleExport(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1 || !p.isSet(QStringLiteral("format")) || !p.isSet(QStringLiteral("out")))
        return exportCommand().usageError();
    if (!exportFormats().contains(p.value(QStringLiteral("format"))))
        return fail(QStringLiteral("unknown export format '%1' (expected %2)").arg(p.value(QStringLiteral("format")), exportFormats().join(QLatin1Char('|'))), 2);
    ExportOptions opts;
    opts.format = p.value(QStringLiteral("format"));
    opts.outDir = p.value(QStringLiteral("out"));
    opts.force = p.isSet(QStringLiteral("force"));
    opts.images = !p.isSet(QStringLiteral("no-images"));
    if (p.isSet(QStringLiteral("compression")) && !parquetCompressions().contains(opts.compression = p.value(QStringLiteral("compression"))))
        return fail(QStringLiteral("--compression expects %1").arg(parquetCompressions().join(QLatin1Char('|'))), 2);
    bool ok = true;
    if (p.isSet(QStringLiteral("limit"))) {
        opts.limit = p.value(QStringLiteral("limit")).toLongLong(&ok);
        if (!ok || opts.limit < 0)
            return fail(QStringLiteral("--limit expects a non-negative integer"), 2);
    }
    if (p.isSet(QStringLiteral("shard-size"))) {
        opts.shardSize = p.value(QStringLiteral("shard-size")).toInt(&ok);
        if (!ok || opts.shardSize < 1 || opts.shardSize > 10000)
            return fail(QStringLiteral("--shard-size expects an integer in [1, 10000]"), 2);
    }
    if (p.isSet(QStringLiteral("split"))) {
        const QString v = p.value(QStringLiteral("split"));
        if (!v.startsWith(QLatin1String("val=")))
            return fail(QStringLiteral("--split expects val=FRACTION"), 2);
        opts.valFraction = v.mid(4).toDouble(&ok);
        // toDouble accepts "nan" and "inf"; neither is a fraction.
        if (!ok || !std::isfinite(opts.valFraction) || opts.valFraction < 0 || opts.valFraction >= 1)
            return fail(QStringLiteral("--split expects val=FRACTION with 0 <= FRACTION < 1, not '%1'").arg(v), 2);
    }
    if (p.isSet(QStringLiteral("caption")))
        opts.caption = p.value(QStringLiteral("caption"));
    if (!QStringList{QStringLiteral("text1"), QStringLiteral("syn_text"), QStringLiteral("all")}.contains(opts.caption))
        return fail(QStringLiteral("--caption expects text1, syn_text or all"), 2);
    if (p.isSet(QStringLiteral("csv-separator"))) {
        const QString sep = p.value(QStringLiteral("csv-separator"));
        if (sep == QLatin1String("comma") || sep == QLatin1String(","))
            opts.csvSeparator = QLatin1Char(',');
        else if (sep != QLatin1String("tab"))
            return fail(QStringLiteral("--csv-separator expects tab or comma"), 2);
    }
    if (p.isSet(QStringLiteral("ids"))) {
        const QString path = p.value(QStringLiteral("ids"));
        QFile f(path);
        const bool opened = path == QLatin1String("-") ? f.open(stdin, QIODevice::ReadOnly) : f.open(QIODevice::ReadOnly);
        if (!opened)
            return fail(QStringLiteral("--ids: cannot read %1: %2").arg(path, f.errorString()), 2);
        auto ids = parseIdList(f.readAll());
        if (!ids)
            return fail(QStringLiteral("--ids %1: %2").arg(path, ids.error().message), 2);
        if (ids->isEmpty())
            return fail(QStringLiteral("--ids %1 lists no image ids").arg(path), 2);
        opts.ids = *ids;
    }
    // Reading only: the project is not locked, so the GUI may stay open.
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    TerminalJob job(QStringLiteral("export"));
    auto report = p.isSet(QStringLiteral("snapshot")) ? exportSnapshot(store, p.value(QStringLiteral("snapshot")), opts, job.ctx)
                                                      : exportSelection(store, recipe, opts, job.ctx);
    job.printer.finish();
    if (!report)
        return fail(report.error());
    print(QStringLiteral("exported %1 samples (%2 train, %3 val, %4 left out) to %5: %6 files, %7 MB\n")
              .arg(report->samples)
              .arg(opts.valFraction > 0 ? report->train : report->samples)
              .arg(report->val)
              .arg(report->skipped)
              .arg(report->outDir)
              .arg(report->files)
              .arg(report->bytes / 1e6, 0, 'f', 1));
    if (report->outsideSelection > 0)
        print(QStringLiteral("%1 of the --ids are not in the selection (rejected or not sampled) and were not exported\n")
                  .arg(report->outsideSelection));
    return 0;
}

} // namespace

const Command &exportCommand()
{
    static const Command command{
        QStringLiteral("export"),
        QStringLiteral("DIR --format wds|csv|jsonl|llava|parquet --out OUTDIR [--limit N] [--split val=0.05] [--shard-size N] [--compression C] [--no-images] [--snapshot NAME] [--ids FILE]"),
        QStringLiteral("write the selection (--caption, --csv-separator, --force)"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("format"), QStringLiteral("wds|csv|jsonl|llava|parquet"), QStringLiteral("FORMAT")},
         {QStringLiteral("out"), QStringLiteral("output folder (must not exist unless --force)"), QStringLiteral("OUTDIR")},
         {QStringLiteral("limit"), QStringLiteral("export only the first N selected samples"), QStringLiteral("N")},
         {QStringLiteral("split"), QStringLiteral("hold out a seeded validation subset, e.g. val=0.05"), QStringLiteral("val=F")},
         {QStringLiteral("shard-size"), QStringLiteral("samples per WebDataset shard (default 10000)"), QStringLiteral("N")},
         {QStringLiteral("caption"), QStringLiteral("csv: text1|syn_text|all (default text1)"), QStringLiteral("WHICH")},
         {QStringLiteral("csv-separator"), QStringLiteral("csv: tab|comma (default tab, as open_clip)"), QStringLiteral("SEP")},
         {QStringLiteral("force"), QStringLiteral("replace OUTDIR if it exists")},
         {QStringLiteral("compression"), QStringLiteral("parquet: snappy|zstd|none (default snappy)"), QStringLiteral("CODEC")},
         {QStringLiteral("no-images"), QStringLiteral("parquet, jsonl: write no image files (text only)")},
         {QStringLiteral("snapshot"), QStringLiteral("export snapshot NAME (realsyn snapshot) instead of the current selection"), QStringLiteral("NAME")},
         {QStringLiteral("ids"), QStringLiteral("only these selected images: a file of ids (one a line, # comments; - reads stdin), e.g. saved from the map"), QStringLiteral("FILE")}},
        handleExport,
    };
    return command;
}

} // namespace rs::cli
