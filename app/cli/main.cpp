// realsyn: the headless command line of RealSyn Studio. Parses arguments and
// calls the same core the GUI uses; all behaviour lives in realsyn_core.

#include "core/embed/activeencoder.h"
#include "core/embed/embeddingstore.h"
#include "core/generate/iexpert.h"
#include "core/generate/igenerator.h"
#include "core/plugin/pluginmanager.h"
#include "core/embed/embedstage.h"
#include "core/embed/npyreader.h"
#include "core/export/exporter.h"
#include "core/export/snapshot.h"
#include "core/index/evaluation.h"
#include "core/ingest/ingestor.h"
#include "core/pipeline/pipeline.h"
#include "core/pipeline/projectstats.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"
#include "core/store/curation.h"
#include "core/store/samplequery.h"
#include "commands.h"
#include "progressprinter.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRegularExpression>
#include <QStringDecoder>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThreadPool>

#include <cmath>
#include <csignal>
#include <cstdio>

using namespace rs;

namespace {

std::atomic<bool> *g_cancel = nullptr;

void onSigint(int)
{
    if (g_cancel)
        g_cancel->store(true);
}

int fail(const QString &message, int code = 1)
{
    std::fprintf(stderr, "realsyn: %s\n", qPrintable(message));
    return code;
}
int fail(const Error &e)
{
    return fail(e.toString(), e.code == ErrorCode::Canceled ? 130 : 1);
}

void print(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stdout);
}

void printJson(const QJsonObject &o)
{
    print(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
}

// A JobContext wired to the terminal: progress lines, warnings counted and
// the first few printed, Ctrl-C mapped to a cancel at the next batch.
struct TerminalJob {
    explicit TerminalJob(const QString &prefix)
        : printer(prefix),
          ctx([this](qint64 d, qint64 t, const QString &w) { printer.update(d, t, w); },
              [this](const JobIssue &issue) {
                  if (++warnings <= 5) {
                      printer.finish();
                      std::fprintf(stderr, "warning: %s%s%s\n", qPrintable(issue.context),
                                   issue.context.isEmpty() ? "" : ": ", qPrintable(issue.text));
                  }
              })
    {
        g_cancel = ctx.cancelFlag();
        std::signal(SIGINT, onSigint);
        std::signal(SIGTERM, onSigint);
    }
    ~TerminalJob()
    {
        printer.finish();
        if (warnings > 5)
            std::fprintf(stderr, "(%lld warnings in all; see the project's issue log)\n", warnings);
        std::signal(SIGINT, SIG_DFL);
        g_cancel = nullptr;
    }
    ProgressPrinter printer;
    JobContext ctx;
    long long warnings = 0;
};

// A project and its recipe, as nearly every command needs them.
struct OpenedProject {
    std::unique_ptr<ProjectStore> store;
    Recipe recipe;
};

Result<OpenedProject> openWithRecipe(const QString &dir, ProjectStore::Access access)
{
    auto store = ProjectStore::open(dir, access);
    if (!store)
        return store.error();
    auto recipe = Recipe::load(**store);
    if (!recipe)
        return recipe.error();
    return OpenedProject{std::move(store.value()), std::move(recipe.value())};
}

Result<std::unique_ptr<ProjectStore>> openProject(const QString &dir, ProjectStore::Access access = ProjectStore::Access::ReadWrite)
{
    return ProjectStore::open(dir, access);
}

// The recipe's `threads` bounds every parallel pass, including those on
// Qt's global pool (parsing, decoding).
void applyThreads(const Recipe &recipe)
{
    const int threads = int(recipe.intValue(QStringLiteral("threads")));
    if (threads > 0)
        QThreadPool::globalInstance()->setMaxThreadCount(threads);
}

// Parses a command's arguments. Unknown options and missing values are
// usage errors (exit 2, as the README says), not QCommandLineParser's exit 1.
// Returns the exit code to stop with, or -1 to go on.
int parseArgs(QCommandLineParser &p, const QStringList &args)
{
    if (!p.parse(args)) {
        std::fprintf(stderr, "realsyn: %s (see `%s --help`)\n", qPrintable(p.errorText()), qPrintable(args.value(0)));
        return 2;
    }
    if (p.isSet(QStringLiteral("help")))
        p.showHelp(0); // exits
    return -1;
}

// Commands that take an item id reject "-5" here: the parser would take it
// for an option and say "Unknown option '5'". valueOptions: options whose
// next argument is their value (which may well be "-5").
int refuseNegativeIds(const QStringList &args, const char *what, const QStringList &valueOptions = {})
{
    static const QRegularExpression negative(QStringLiteral("^-[0-9][0-9.eE+-]*$"));
    for (qsizetype i = 1; i < args.size(); ++i) {
        if (valueOptions.contains(args[i])) {
            ++i;
            continue;
        }
        if (negative.match(args[i]).hasMatch())
            return fail(QStringLiteral("%1 must be a positive integer, not '%2'").arg(QLatin1String(what), args[i]), 2);
    }
    return -1;
}

// An item id as typed: a positive integer, or 0 with *ok false.
qint64 positiveId(const QString &text, bool *ok)
{
    const qint64 id = text.toLongLong(ok);
    if (*ok && id <= 0)
        *ok = false;
    return *ok ? id : 0;
}

Status applySets(Recipe &recipe, const QStringList &sets)
{
    for (const QString &s : sets)
        if (Status st = recipe.setAssignment(s); !st)
            return st;
    return {};
}

int cmdInit(const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder to create"));
    p.addHelpOption();
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: realsyn init DIR"), 2);
    auto store = ProjectStore::create(p.positionalArguments().first());
    if (!store)
        return fail(store.error());
    print(QStringLiteral("created project %1\n").arg((*store)->dir()));
    return 0;
}

int cmdIngest(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("source folders or files"), QStringLiteral("PATH..."));
    p.addOption({QStringLiteral("format"), QStringLiteral("html|mmc4|obelics|wds"), QStringLiteral("FORMAT")});
    p.addOption({QStringLiteral("images"), QStringLiteral("folder holding the image files (mmc4, obelics)"), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("limit"), QStringLiteral("ingest only the first N documents"), QStringLiteral("N")});
    p.addOption({QStringLiteral("sample"), QStringLiteral("ingest a reproducible random fraction of documents"), QStringLiteral("FRACTION")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("seed of --sample (default: the recipe's seed)"), QStringLiteral("S")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    const QStringList pos = p.positionalArguments();
    if (pos.size() < 2 || !p.isSet(QStringLiteral("format")))
        return fail(QStringLiteral("usage: realsyn ingest DIR --format html|mmc4|obelics|wds PATH..."), 2);
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
    opts.seed = quint64(recipe.intValue(QStringLiteral("seed")));
    applyIngestLimits(opts, recipe);
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

int cmdRun(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addOption({QStringLiteral("until"), QStringLiteral("last stage to run (%1)").arg(Pipeline::stageNames().join(QLatin1Char('|'))),
                 QStringLiteral("STAGE")});
    p.addOption({QStringLiteral("set"), QStringLiteral("change a setting (saved in the recipe)"), QStringLiteral("key=value")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("shorthand for --set seed=S"), QStringLiteral("S")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: realsyn run DIR [--until STAGE] [--set key=value]..."), 2);
    if (p.isSet(QStringLiteral("until")) && !Pipeline::stageNames().contains(p.value(QStringLiteral("until"))))
        return fail(QStringLiteral("unknown stage '%1' (stages: %2)").arg(p.value(QStringLiteral("until")), Pipeline::stageNames().join(QStringLiteral(", "))), 2);
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadWrite);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    QStringList sets = p.values(QStringLiteral("set"));
    if (p.isSet(QStringLiteral("seed")))
        sets << QStringLiteral("seed=") + p.value(QStringLiteral("seed"));
    if (Status s = applySets(recipe, sets); !s)
        return fail(s.error().toString(), 2);
    if (Status s = recipe.save(store); !s)
        return fail(s.error());

    applyThreads(recipe);
    Pipeline pipeline;
    QStringList ran;
    TerminalJob job(QStringLiteral("run"));
    Status s = pipeline.run(store, recipe, p.value(QStringLiteral("until")), job.ctx, &ran);
    job.printer.finish();
    if (!s) {
        if (s.error().code == ErrorCode::Canceled)
            std::fprintf(stderr, "interrupted: work done so far is saved; `realsyn run` resumes\n");
        return fail(s.error());
    }
    print(ran.isEmpty() ? QStringLiteral("nothing to do: every requested stage is done\n")
                        : QStringLiteral("ran: %1\n").arg(ran.join(QStringLiteral(", "))));
    return 0;
}

int cmdRecipe(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    p.addOption({QStringLiteral("set"), QStringLiteral("change a setting without running"), QStringLiteral("key=value")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: realsyn recipe DIR [--json] [--set key=value]..."), 2);
    const bool writing = p.isSet(QStringLiteral("set"));
    auto project = openWithRecipe(p.positionalArguments().first(), writing ? ProjectStore::Access::ReadWrite : ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    if (writing) {
        if (Status s = applySets(recipe, p.values(QStringLiteral("set"))); !s)
            return fail(s.error().toString(), 2);
        if (Status s = recipe.save(store); !s)
            return fail(s.error());
    }
    if (p.isSet(QStringLiteral("json"))) {
        printJson(recipe.toJson());
        return 0;
    }
    for (const SettingDef &d : Recipe::definitions()) {
        const QString value = recipe.text(d.key);
        print(QStringLiteral("%1 = %2%3\n    %4\n")
                  .arg(d.key, value)
                  .arg(recipe.isDefault(d.key) ? QString() : QStringLiteral("   (default %1)").arg(d.defaultValue))
                  .arg(d.meaning));
    }
    return 0;
}

int cmdStats(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: realsyn stats DIR [--json]"), 2);
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    Pipeline pipeline;
    auto stats = projectStats(store, recipe, pipeline);
    if (!stats)
        return fail(stats.error());
    if (p.isSet(QStringLiteral("json")))
        printJson(*stats);
    else
        print(formatStats(*stats));
    return 0;
}

int cmdEval(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    p.addOption({QStringLiteral("tune"), QStringLiteral("choose fusion weights on the validation split (eval.validation), never the test split")});
    p.addOption({QStringLiteral("store"), QStringLiteral("with --tune: write the chosen weights into the recipe")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1 || (p.isSet(QStringLiteral("store")) && !p.isSet(QStringLiteral("tune"))))
        return fail(QStringLiteral("usage: realsyn eval DIR [--json] [--tune [--store]]"), 2);
    auto project = openWithRecipe(p.positionalArguments().first(), p.isSet(QStringLiteral("store")) ? ProjectStore::Access::ReadWrite
                                                                                                     : ProjectStore::Access::ReadOnly);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    if (p.isSet(QStringLiteral("tune"))) {
        auto tuned = tuneFusionWeights(store, recipe);
        if (!tuned)
            return fail(tuned.error());
        const QJsonObject w = tuned->value(QStringLiteral("weights")).toObject();
        if (p.isSet(QStringLiteral("store"))) {
            for (auto it = w.constBegin(); it != w.constEnd(); ++it)
                if (Status s = recipe.set(QStringLiteral("retrieve.weight_") + it.key(), QString::number(it.value().toDouble())); !s)
                    return fail(s.error());
            if (Status s = recipe.save(store); !s)
                return fail(s.error());
        }
        if (p.isSet(QStringLiteral("json"))) {
            printJson(*tuned);
            return 0;
        }
        const QJsonObject cur = tuned->value(QStringLiteral("current")).toObject();
        print(QStringLiteral("validation images %1, %2 weight settings tried\n"
                             "best: visual %3  ocr %4  context %5  lexical %6\n"
                             "  recall@1 %7  @3 %8  @10 %9\n")
                  .arg(tuned->value(QStringLiteral("validation_images")).toInt())
                  .arg(tuned->value(QStringLiteral("grid_points")).toInt())
                  .arg(w.value(QStringLiteral("visual")).toDouble())
                  .arg(w.value(QStringLiteral("ocr")).toDouble())
                  .arg(w.value(QStringLiteral("context")).toDouble())
                  .arg(w.value(QStringLiteral("lexical")).toDouble())
                  .arg(tuned->value(QStringLiteral("recall_at_1")).toDouble(), 0, 'f', 3)
                  .arg(tuned->value(QStringLiteral("recall_at_3")).toDouble(), 0, 'f', 3)
                  .arg(tuned->value(QStringLiteral("recall_at_10")).toDouble(), 0, 'f', 3));
        print(QStringLiteral("recipe's weights: recall@1 %1  @3 %2  @10 %3\n%4\n")
                  .arg(cur.value(QStringLiteral("recall_at_1")).toDouble(), 0, 'f', 3)
                  .arg(cur.value(QStringLiteral("recall_at_3")).toDouble(), 0, 'f', 3)
                  .arg(cur.value(QStringLiteral("recall_at_10")).toDouble(), 0, 'f', 3)
                  .arg(p.isSet(QStringLiteral("store")) ? QStringLiteral("stored in the recipe (retrieve is now stale)")
                                                        : QStringLiteral("not stored (add --store)")));
        return 0;
    }
    auto report = evaluateRetrieval(store, recipe);
    if (!report)
        return fail(report.error());
    if (p.isSet(QStringLiteral("json"))) {
        printJson(*report);
        return 0;
    }
    const QJsonObject &r = *report;
    print(QStringLiteral("encoder              %1\nevaluated images     %2 (held out of fitting), pool of %3 sentences\n")
              .arg(r.value(QStringLiteral("encoder")).toString())
              .arg(r.value(QStringLiteral("evaluated_images")).toInt())
              .arg(r.value(QStringLiteral("sentence_pool")).toInt()));
    for (const char *mode : {"hierarchical", "exact"}) {
        const QJsonObject m = r.value(QLatin1String(mode)).toObject();
        print(QStringLiteral("%1 recall@1 %2  @3 %3  @10 %4\n")
                  .arg(QString::fromLatin1(mode), -20)
                  .arg(m.value(QStringLiteral("recall_at_1")).toDouble(), 0, 'f', 3)
                  .arg(m.value(QStringLiteral("recall_at_3")).toDouble(), 0, 'f', 3)
                  .arg(m.value(QStringLiteral("recall_at_10")).toDouble(), 0, 'f', 3));
    }
    const QJsonObject signals = r.value(QStringLiteral("signals")).toObject();
    for (const char *signal : {"visual", "ocr", "context", "lexical", "fused"}) {
        const QJsonObject m = signals.value(QLatin1String(signal)).toObject();
        print(QStringLiteral("%1 recall@1 %2  @3 %3  @10 %4  (%5 images could query)\n")
                  .arg(QStringLiteral("strict ") + QLatin1String(signal), -20)
                  .arg(m.value(QStringLiteral("recall_at_1")).toDouble(), 0, 'f', 3)
                  .arg(m.value(QStringLiteral("recall_at_3")).toDouble(), 0, 'f', 3)
                  .arg(m.value(QStringLiteral("recall_at_10")).toDouble(), 0, 'f', 3)
                  .arg(m.value(QStringLiteral("images")).toInt()));
    }
    print(QStringLiteral("overlap@3 (hier vs exact) %1\nrandom recall@10          %2\nsame-document recall@10   %3\n")
              .arg(r.value(QStringLiteral("overlap_at_3")).toDouble(), 0, 'f', 3)
              .arg(r.value(QStringLiteral("random_recall_at_10")).toDouble(), 0, 'f', 4)
              .arg(r.value(QStringLiteral("same_document_recall_at_10")).toDouble(), 0, 'f', 3));
    return 0;
}

int cmdImportEmbeddings(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addOption({QStringLiteral("kind"), QStringLiteral("image|text"), QStringLiteral("KIND")});
    p.addOption({QStringLiteral("ids"), QStringLiteral("text file: one item id per line, in row order"), QStringLiteral("IDS.txt")});
    p.addOption({QStringLiteral("vectors"), QStringLiteral("NumPy .npy (n, d) float16/float32"), QStringLiteral("FILE.npy")});
    p.addOption({QStringLiteral("model"), QStringLiteral("name of the model that made the vectors"), QStringLiteral("NAME")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    const QString kind = p.value(QStringLiteral("kind"));
    if (p.positionalArguments().size() != 1 || (kind != QLatin1String("image") && kind != QLatin1String("text"))
        || !p.isSet(QStringLiteral("ids")) || !p.isSet(QStringLiteral("vectors")))
        return fail(QStringLiteral("usage: realsyn import-embeddings DIR --kind image|text --ids IDS.txt --vectors FILE.npy [--model NAME]"), 2);
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadWrite);
    if (!project)
        return fail(project.error());
    ProjectStore &store = *project->store;
    Recipe &recipe = project->recipe;
    auto vectors = readNpyMatrix(p.value(QStringLiteral("vectors")));
    if (!vectors)
        return fail(vectors.error());
    QFile idFile(p.value(QStringLiteral("ids")));
    if (!idFile.open(QIODevice::ReadOnly | QIODevice::Text))
        return fail(QStringLiteral("%1: cannot open: %2").arg(idFile.fileName(), idFile.errorString()));
    const QString table = kind == QLatin1String("image") ? QStringLiteral("images") : QStringLiteral("sentences");
    QVector<qint64> ids;
    int lineNo = 0;
    while (!idFile.atEnd()) {
        ++lineNo;
        const QString line = QString::fromUtf8(idFile.readLine()).trimmed();
        if (line.isEmpty())
            continue;
        bool ok = false;
        const qint64 id = line.toLongLong(&ok);
        if (!ok)
            return fail(QStringLiteral("%1:%2: not an id: '%3'").arg(idFile.fileName()).arg(lineNo).arg(line.left(40)));
        auto exists = store.scalar(QStringLiteral("SELECT 1 FROM %1 WHERE id = ?").arg(table), {id});
        if (!exists || !exists->isValid())
            return fail(QStringLiteral("%1:%2: no %3 with id %4 in this project").arg(idFile.fileName()).arg(lineNo).arg(kind).arg(id));
        ids.push_back(id);
    }
    if (ids.size() != vectors->rows)
        return fail(QStringLiteral("%1 ids but %2 vector rows").arg(ids.size()).arg(vectors->rows));
    const QString model = p.isSet(QStringLiteral("model")) ? p.value(QStringLiteral("model")) : QStringLiteral("imported");
    // Both kinds must come from one model; the other kind's store is opened
    // with the same name so a mismatch in width is caught here too.
    const QString storeKind = kind == QLatin1String("image") ? QStringLiteral("images") : QStringLiteral("sentences");
    bool reset = false;
    auto emb = EmbeddingStore::open(EmbedStage::embeddingDir(store), storeKind, model, vectors->cols, EmbeddingStore::DType::Float16, &reset);
    if (!emb)
        return fail(emb.error());
    vectors->normalizeRows();
    if (Status s = (*emb)->put(ids, *vectors); !s)
        return fail(s.error());
    if (Status s = recipe.set(QStringLiteral("embed.model"), QStringLiteral("imported:") + model); !s)
        return fail(s.error());
    if (Status s = recipe.save(store); !s)
        return fail(s.error());
    print(QStringLiteral("imported %1 %2 vectors (d=%3) from model '%4'%5\n")
              .arg(ids.size())
              .arg(kind)
              .arg(vectors->cols)
              .arg(model, reset ? QStringLiteral("; earlier vectors of another model were cleared") : QString()));
    return 0;
}

int cmdList(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addOption({QStringLiteral("kept"), QStringLiteral("only images that passed every filter")});
    p.addOption({QStringLiteral("selected"), QStringLiteral("only images in the current export selection")});
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("usage: realsyn list DIR [--kept|--selected] [--json]"), 2);
    auto store = openProject(p.positionalArguments().first(), ProjectStore::Access::ReadOnly);
    if (!store)
        return fail(store.error());
    const SampleFilter filter = p.isSet(QStringLiteral("selected")) ? SampleFilter::Selected
        : p.isSet(QStringLiteral("kept"))                           ? SampleFilter::Kept
                                                                    : SampleFilter::All;
    auto list = listSamples(**store, filter);
    if (!list)
        return fail(list.error());
    if (p.isSet(QStringLiteral("json"))) {
        print(QString::fromUtf8(QJsonDocument(*list).toJson(QJsonDocument::Compact)) + QLatin1Char('\n'));
        return 0;
    }
    for (const QJsonValue &v : *list) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("%1\t%2\t%3\n")
                  .arg(o.value(QStringLiteral("id")).toInteger())
                  .arg(o.value(QStringLiteral("selected")).toBool() ? QStringLiteral("selected")
                           : o.value(QStringLiteral("kept")).toBool() ? QStringLiteral("kept")
                                                                      : QStringLiteral("rejected"))
                  .arg(o.value(QStringLiteral("path")).toString()));
    }
    return 0;
}

int cmdShow(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addPositionalArgument(QStringLiteral("IMAGE_ID"), QStringLiteral("image id (see `realsyn list`)"));
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    if (const int rc = refuseNegativeIds(args, "IMAGE_ID"); rc >= 0)
        return rc;
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 2)
        return fail(QStringLiteral("usage: realsyn show DIR IMAGE_ID [--json]"), 2);
    bool ok = false;
    const qint64 id = positiveId(p.positionalArguments().value(1), &ok);
    if (!ok)
        return fail(QStringLiteral("IMAGE_ID must be a positive integer, not '%1'").arg(p.positionalArguments().value(1)), 2);
    auto store = openProject(p.positionalArguments().first(), ProjectStore::Access::ReadOnly);
    if (!store)
        return fail(store.error());
    auto details = sampleDetails(**store, id);
    if (!details)
        return fail(details.error());
    if (p.isSet(QStringLiteral("json"))) {
        printJson(*details);
        return 0;
    }
    const QJsonObject &d = *details;
    print(QStringLiteral("image %1  %2\n  %3x%4  %5\n")
              .arg(id)
              .arg(d.value(QStringLiteral("path")).toString())
              .arg(d.value(QStringLiteral("width")).toInt())
              .arg(d.value(QStringLiteral("height")).toInt())
              .arg(d.value(QStringLiteral("kept")).toBool() ? QStringLiteral("kept") : QStringLiteral("rejected")));
    for (const QJsonValue &r : d.value(QStringLiteral("reasons")).toArray())
        print(QStringLiteral("  rejected: %1 %2\n").arg(r.toObject().value(QStringLiteral("reason")).toString(),
                                                         r.toObject().value(QStringLiteral("detail")).toString()));
    for (const QJsonValue &v : d.value(QStringLiteral("provenance")).toArray()) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("  in %1 (position %2)\n").arg(o.value(QStringLiteral("document")).toString()).arg(o.value(QStringLiteral("position")).toInt()));
        for (const char *k : {"caption", "alt"})
            if (o.contains(QLatin1String(k)))
                print(QStringLiteral("    %1: %2\n").arg(QLatin1String(k), o.value(QLatin1String(k)).toString()));
    }
    for (const QJsonValue &v : d.value(QStringLiteral("retrieved")).toArray()) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("  text%1 (%2): %3\n").arg(o.value(QStringLiteral("rank")).toInt())
                  .arg(o.value(QStringLiteral("score")).toDouble(), 0, 'f', 3)
                  .arg(o.value(QStringLiteral("text")).toString()));
    }
    if (!d.value(QStringLiteral("caption")).isNull())
        print(QStringLiteral("  caption: %1\n").arg(d.value(QStringLiteral("caption")).toString()));
    if (!d.value(QStringLiteral("synthetic_text")).isNull())
        print(QStringLiteral("  synthetic (%1): %2\n").arg(d.value(QStringLiteral("generator")).toString(), d.value(QStringLiteral("synthetic_text")).toString()));
    return 0;
}

int cmdDecide(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("image id"));
    p.addPositionalArgument(QStringLiteral("DECISION"), QStringLiteral("accept|reject|clear"));
    if (const int rc = refuseNegativeIds(args, "ID"); rc >= 0)
        return rc;
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    const QStringList pos = p.positionalArguments();
    const QString what = pos.value(2);
    if (pos.size() != 3 || !QStringList{QStringLiteral("accept"), QStringLiteral("reject"), QStringLiteral("clear")}.contains(what))
        return fail(QStringLiteral("usage: realsyn decide DIR ID accept|reject|clear"), 2);
    bool ok = false;
    const qint64 id = positiveId(pos.value(1), &ok);
    if (!ok)
        return fail(QStringLiteral("ID must be a positive integer, not '%1'").arg(pos.value(1)), 2);
    auto store = openProject(pos.first());
    if (!store)
        return fail(store.error());
    const CuratorDecision d = what == QLatin1String("accept") ? CuratorDecision::Accept
        : what == QLatin1String("reject")                     ? CuratorDecision::Reject
                                                              : CuratorDecision::Clear;
    if (Status s = setCuratorDecision(**store, id, d); !s)
        return fail(s.error());
    print(QStringLiteral("image %1: %2\n").arg(id).arg(what == QLatin1String("clear") ? QStringLiteral("decision cleared") : what + QStringLiteral("ed")));
    return 0;
}

// The longest curated text `edit` accepts (from a file or stdin): a
// synthetic text is a paragraph, and anything this long is a wrong file.
constexpr qint64 kMaxSynTextBytes = 1024 * 1024;

int cmdEdit(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("image id"));
    p.addOption({QStringLiteral("syn-text"), QStringLiteral("the curated synthetic text (empty clears the edit)"), QStringLiteral("TEXT")});
    p.addOption({QStringLiteral("syn-text-file"), QStringLiteral("read the curated synthetic text from FILE (UTF-8; - for stdin)"),
                 QStringLiteral("FILE")});
    if (const int rc = refuseNegativeIds(args, "ID", {QStringLiteral("--syn-text"), QStringLiteral("--syn-text-file")}); rc >= 0)
        return rc;
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    const QStringList pos = p.positionalArguments();
    const bool inline_ = p.isSet(QStringLiteral("syn-text")), fromFile = p.isSet(QStringLiteral("syn-text-file"));
    if (pos.size() != 2 || inline_ == fromFile)
        return fail(QStringLiteral("usage: realsyn edit DIR ID --syn-text TEXT | --syn-text-file FILE (- for stdin)"), 2);
    bool ok = false;
    const qint64 id = positiveId(pos.value(1), &ok);
    if (!ok)
        return fail(QStringLiteral("ID must be a positive integer, not '%1'").arg(pos.value(1)), 2);
    QString text = p.value(QStringLiteral("syn-text"));
    if (fromFile) {
        const QString name = p.value(QStringLiteral("syn-text-file"));
        QFile f;
        bool opened = false;
        if (name == QLatin1String("-")) {
            opened = f.open(stdin, QIODevice::ReadOnly);
        } else {
            f.setFileName(name);
            opened = f.open(QIODevice::ReadOnly);
        }
        if (!opened)
            return fail(QStringLiteral("%1: cannot open: %2").arg(name, f.errorString()), 2);
        // A pipe may deliver less than asked per read: read to the end or past the limit.
        QByteArray bytes;
        while (bytes.size() <= kMaxSynTextBytes) {
            const QByteArray chunk = f.read(kMaxSynTextBytes + 1 - bytes.size());
            if (chunk.isEmpty())
                break;
            bytes += chunk;
        }
        if (f.error() != QFileDevice::NoError)
            return fail(QStringLiteral("%1: cannot read: %2").arg(name, f.errorString()));
        if (bytes.size() > kMaxSynTextBytes)
            return fail(QStringLiteral("%1: longer than %2 bytes; not a synthetic text").arg(name).arg(kMaxSynTextBytes), 2);
        QStringDecoder decoder(QStringDecoder::Utf8);
        text = decoder.decode(bytes);
        if (decoder.hasError())
            return fail(QStringLiteral("%1: not valid UTF-8").arg(name), 2);
    }
    auto store = openProject(pos.first());
    if (!store)
        return fail(store.error());
    if (Status s = setEditedSyntheticText(**store, id, text); !s)
        return fail(s.error());
    print(QStringLiteral("image %1: synthetic text %2\n").arg(id).arg(text.trimmed().isEmpty() ? QStringLiteral("edit cleared") : QStringLiteral("edited")));
    return 0;
}

int cmdExport(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
    p.addOption({QStringLiteral("format"), QStringLiteral("wds|csv|jsonl|llava"), QStringLiteral("FORMAT")});
    p.addOption({QStringLiteral("out"), QStringLiteral("output folder (must not exist unless --force)"), QStringLiteral("OUTDIR")});
    p.addOption({QStringLiteral("limit"), QStringLiteral("export only the first N selected samples"), QStringLiteral("N")});
    p.addOption({QStringLiteral("split"), QStringLiteral("hold out a seeded validation subset, e.g. val=0.05"), QStringLiteral("val=F")});
    p.addOption({QStringLiteral("shard-size"), QStringLiteral("samples per WebDataset shard (default 10000)"), QStringLiteral("N")});
    p.addOption({QStringLiteral("caption"), QStringLiteral("csv: text1|syn_text|all (default text1)"), QStringLiteral("WHICH")});
    p.addOption({QStringLiteral("csv-separator"), QStringLiteral("csv: tab|comma (default tab, as open_clip)"), QStringLiteral("SEP")});
    p.addOption({QStringLiteral("force"), QStringLiteral("replace OUTDIR if it exists")});
    p.addOption({QStringLiteral("snapshot"), QStringLiteral("export snapshot NAME (realsyn snapshot) instead of the current selection"), QStringLiteral("NAME")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1 || !p.isSet(QStringLiteral("format")) || !p.isSet(QStringLiteral("out")))
        return fail(QStringLiteral("usage: realsyn export DIR --format wds|csv|jsonl|llava --out OUTDIR [--limit N] [--split val=0.05] [--shard-size N]"), 2);
    if (!exportFormats().contains(p.value(QStringLiteral("format"))))
        return fail(QStringLiteral("unknown export format '%1' (expected %2)").arg(p.value(QStringLiteral("format")), exportFormats().join(QLatin1Char('|'))), 2);
    ExportOptions opts;
    opts.format = p.value(QStringLiteral("format"));
    opts.outDir = p.value(QStringLiteral("out"));
    opts.force = p.isSet(QStringLiteral("force"));
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
    return 0;
}

int cmdPlugins(const QStringList &args)
{
    QCommandLineParser p;
    p.addHelpOption();
    p.addOption({QStringLiteral("json"), QStringLiteral("print JSON")});
    if (const int rc = parseArgs(p, args); rc >= 0)
        return rc;
    PluginManager &manager = sharedPlugins();
    // Loading tells whether a plugin really works, not only that its metadata reads.
    for (const char *iid : {RealSyn_IEncoderPlugin_iid, RealSyn_IExpertPlugin_iid, RealSyn_IGeneratorPlugin_iid})
        manager.instances(QString::fromLatin1(iid));
    QJsonArray out;
    for (const PluginRecord &r : manager.plugins())
        out.append(QJsonObject{{QStringLiteral("file"), r.fileName},
                               {QStringLiteral("name"), r.metaData.value(QStringLiteral("name")).toString()},
                               {QStringLiteral("interface"), r.iid},
                               {QStringLiteral("loaded"), r.loaded},
                               {QStringLiteral("error"), r.errorString}});
    if (p.isSet(QStringLiteral("json"))) {
        print(QString::fromUtf8(QJsonDocument(out).toJson(QJsonDocument::Indented)));
        return 0;
    }
    print(QStringLiteral("search path: %1\n").arg(manager.searchPaths().join(QLatin1Char(':'))));
    for (const QJsonValue &v : out) {
        const QJsonObject o = v.toObject();
        print(QStringLiteral("%1  %2  %3%4\n")
                  .arg(o.value(QStringLiteral("name")).toString(), -24)
                  .arg(o.value(QStringLiteral("loaded")).toBool() ? QStringLiteral("loaded") : QStringLiteral("not loaded"))
                  .arg(o.value(QStringLiteral("file")).toString())
                  .arg(o.value(QStringLiteral("error")).toString().isEmpty() ? QString() : QStringLiteral("\n    error: ") + o.value(QStringLiteral("error")).toString()));
    }
    return 0;
}

const char *kUsage =
    "usage: realsyn COMMAND ...\n"
    "  init DIR                                          create a project\n"
    "  ingest DIR --format html|mmc4|obelics|wds PATH... add documents (--images DIR, --limit N, --sample F --seed S)\n"
    "  run DIR [--until STAGE] [--set key=value]...      run the stages that are missing or stale\n"
    "  recipe DIR [--json] [--set key=value]...          show or change settings\n"
    "  stats DIR [--json]                                counts, rejection reasons, stage states\n"
    "  list DIR [--kept|--selected] [--json]             images with their state\n"
    "  show DIR IMAGE_ID [--json]                        one sample whole: provenance, decisions, texts\n"
    "  eval DIR [--json] [--tune [--store]]              retrieval quality on held-out ground truth; --tune: fusion weights\n"
    "  export DIR --format wds|csv|jsonl|llava --out OUTDIR [--limit N] [--split val=F] [--shard-size N] [--snapshot NAME]\n"
    "  decide DIR ID accept|reject|clear                 curator decision (wins over every filter)\n"
    "  edit DIR ID --syn-text TEXT | --syn-text-file FILE  curator's synthetic text (FILE - reads stdin)\n"
    "  plugins [--json]                                  encoder, expert and generator plugins found, with load errors\n"
    "  import-embeddings DIR --kind image|text --ids IDS.txt --vectors FILE.npy [--model NAME]\n"
    "  search DIR QUERY [--semantic] [--limit N] [--json]  images by their texts (BM25) or, --semantic, by embedding\n"
    "  search DIR --image ID [--limit N] [--json]        images most like image ID (\"more like this\")\n"
    "  snapshot DIR NAME | --list [--json]               freeze recipe, selection and exported fields (export --snapshot NAME)\n"
    "  diff DIR A [B] [--json]                           what changed from snapshot A to B (default: current)\n"
    "Stages: extract, ground, embed, retrieve, generate, sample. `realsyn COMMAND --help` for details.\n";

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // A file-size limit (ulimit -f) must fail a write with EFBIG, reported
    // and cleaned up, rather than kill the process mid-export.
    std::signal(SIGXFSZ, SIG_IGN);
    QCoreApplication::setApplicationName(QStringLiteral("realsyn"));
    QCoreApplication::setApplicationVersion(QStringLiteral(REALSYN_VERSION));
    QStringList args = app.arguments();
    if (args.size() < 2 || args[1] == QLatin1String("--help") || args[1] == QLatin1String("-h") || args[1] == QLatin1String("help")) {
        std::fputs(kUsage, args.size() < 2 ? stderr : stdout);
        return args.size() < 2 ? 2 : 0;
    }
    if (args[1] == QLatin1String("--version")) {
        print(QStringLiteral("realsyn %1\n").arg(QStringLiteral(REALSYN_VERSION)));
        return 0;
    }
    const QString command = args.takeAt(1);
    args[0] = QStringLiteral("realsyn ") + command;
    if (command == QLatin1String("init"))
        return cmdInit(args);
    if (command == QLatin1String("ingest"))
        return cmdIngest(args);
    if (command == QLatin1String("run"))
        return cmdRun(args);
    if (command == QLatin1String("recipe"))
        return cmdRecipe(args);
    if (command == QLatin1String("stats"))
        return cmdStats(args);
    if (command == QLatin1String("list"))
        return cmdList(args);
    if (command == QLatin1String("show"))
        return cmdShow(args);
    if (command == QLatin1String("plugins"))
        return cmdPlugins(args);
    if (command == QLatin1String("export"))
        return cmdExport(args);
    if (command == QLatin1String("decide"))
        return cmdDecide(args);
    if (command == QLatin1String("edit"))
        return cmdEdit(args);
    if (command == QLatin1String("eval"))
        return cmdEval(args);
    if (command == QLatin1String("import-embeddings"))
        return cmdImportEmbeddings(args);
    if (command == QLatin1String("search"))
        return runSearch(args);
    if (command == QLatin1String("snapshot"))
        return runSnapshot(args);
    if (command == QLatin1String("diff"))
        return runDiff(args);
    std::fputs(kUsage, stderr);
    return fail(QStringLiteral("unknown command '%1'").arg(command), 2);
}
