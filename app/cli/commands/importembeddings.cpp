// realsyn import-embeddings DIR --kind image|text --ids IDS.txt --vectors FILE.npy [--model NAME]: vectors computed elsewhere (NumPy .npy).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/embed/embeddingimport.h"

namespace rs::cli {

namespace {

int handleImportEmbeddings(const QCommandLineParser &p)
{
    EmbeddingImportOptions opts;
    opts.kind = p.value(QStringLiteral("kind"));
    if (p.positionalArguments().size() != 1 || !embeddingImportKinds().contains(opts.kind) || !p.isSet(QStringLiteral("ids"))
        || !p.isSet(QStringLiteral("vectors")))
        return importEmbeddingsCommand().usageError();
    opts.idsPath = p.value(QStringLiteral("ids"));
    opts.vectorsPath = p.value(QStringLiteral("vectors"));
    if (p.isSet(QStringLiteral("model")))
        opts.model = p.value(QStringLiteral("model"));
    auto project = openWithRecipe(p.positionalArguments().first(), ProjectStore::Access::ReadWrite);
    if (!project)
        return fail(project.error());
    auto report = importEmbeddings(*project->store, project->recipe, opts);
    if (!report)
        return fail(report.error());
    print(QStringLiteral("imported %1 %2 vectors (d=%3) from model '%4'%5\n")
              .arg(report->rows)
              .arg(opts.kind)
              .arg(report->dims)
              .arg(opts.model, report->clearedOtherModel ? QStringLiteral("; earlier vectors of another model were cleared") : QString()));
    return 0;
}

} // namespace

const Command &importEmbeddingsCommand()
{
    static const Command command{
        QStringLiteral("import-embeddings"),
        QStringLiteral("DIR --kind image|text --ids IDS.txt --vectors FILE.npy [--model NAME]"),
        QStringLiteral("vectors computed elsewhere (NumPy .npy)"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}},
        {{QStringLiteral("kind"), QStringLiteral("image|text"), QStringLiteral("KIND")},
         {QStringLiteral("ids"), QStringLiteral("text file: one item id per line, in row order"), QStringLiteral("IDS.txt")},
         {QStringLiteral("vectors"), QStringLiteral("NumPy .npy (n, d) float16/float32"), QStringLiteral("FILE.npy")},
         {QStringLiteral("model"), QStringLiteral("name of the model that made the vectors"), QStringLiteral("NAME")}},
        handleImportEmbeddings,
    };
    return command;
}

} // namespace rs::cli
