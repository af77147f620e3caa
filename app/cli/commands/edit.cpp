// realsyn edit DIR ID --syn-text TEXT | --syn-text-file FILE (- for stdin): curator's synthetic text.

#include "app/cli/clisupport.h"
#include "app/cli/commands/commands.h"
#include "core/store/curation.h"

#include <QFile>
#include <QStringDecoder>
#include <cstdio>

namespace rs::cli {

namespace {

// The longest curated text `edit` accepts (from a file or stdin): a
// synthetic text is a paragraph, and anything this long is a wrong file.
constexpr qint64 kMaxSynTextBytes = 1024 * 1024;

int handleEdit(const QCommandLineParser &p)
{
    const QStringList pos = p.positionalArguments();
    const bool inline_ = p.isSet(QStringLiteral("syn-text")), fromFile = p.isSet(QStringLiteral("syn-text-file"));
    if (pos.size() != 2 || inline_ == fromFile)
        return editCommand().usageError();
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

} // namespace

const Command &editCommand()
{
    static const Command command{
        QStringLiteral("edit"),
        QStringLiteral("DIR ID --syn-text TEXT | --syn-text-file FILE (- for stdin)"),
        QStringLiteral("curator's synthetic text"),
        {{QStringLiteral("DIR"), QStringLiteral("project folder")}, {QStringLiteral("ID"), QStringLiteral("image id")}},
        {{QStringLiteral("syn-text"), QStringLiteral("the curated synthetic text (empty clears the edit)"), QStringLiteral("TEXT")},
         {QStringLiteral("syn-text-file"), QStringLiteral("read the curated synthetic text from FILE (UTF-8; - for stdin)"), QStringLiteral("FILE")}},
        handleEdit,
        QStringLiteral("ID"),
    };
    return command;
}

} // namespace rs::cli
