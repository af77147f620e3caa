// realsyn import-embeddings DIR --kind image|text --ids IDS.txt --vectors FILE.npy [--model NAME]: vectors computed elsewhere (NumPy .npy).

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/embed/embeddingstore.h"
#include "core/embed/embedstage.h"
#include "core/embed/npyreader.h"

#include <QFile>

namespace rs::cli {

namespace {

int handleImportEmbeddings(const QCommandLineParser &p)
{
    const QString kind = p.value(QStringLiteral("kind"));
    if (p.positionalArguments().size() != 1 || (kind != QLatin1String("image") && kind != QLatin1String("text"))
        || !p.isSet(QStringLiteral("ids")) || !p.isSet(QStringLiteral("vectors")))
        return importEmbeddingsCommand().usageError();
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
