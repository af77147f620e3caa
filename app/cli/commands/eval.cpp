// realsyn eval DIR [--json] [--tune [--store]]: retrieval quality on held-out ground truth; --tune: fusion weights.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/index/evaluation.h"

namespace rs::cli {

namespace {

int handleEval(const QCommandLineParser &p)
{
    if (p.positionalArguments().size() != 1 || (p.isSet(QStringLiteral("store")) && !p.isSet(QStringLiteral("tune"))))
        return evalCommand().usageError();
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

} // namespace

const Command &evalCommand()
{
    static const Command command{
        QStringLiteral("eval"),
        QStringLiteral("DIR [--json] [--tune [--store]]"),
        QStringLiteral("retrieval quality on held-out ground truth; --tune: fusion weights"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("json"), QStringLiteral("print JSON")},
         {QStringLiteral("tune"), QStringLiteral("choose fusion weights on the validation split (eval.validation), never the test split")},
         {QStringLiteral("store"), QStringLiteral("with --tune: write the chosen weights into the recipe")}},
        handleEval,
    };
    return command;
}

} // namespace rs::cli
