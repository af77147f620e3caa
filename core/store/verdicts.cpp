#include "core/store/verdicts.h"

#include "core/store/projectstore.h"
#include "core/store/reasons.h"

#include <QMap>

#include <memory>

#include <QCryptographicHash>

namespace rs {

namespace {

QString tableName(VerdictTable table)
{
    return table == VerdictTable::Images ? QStringLiteral("images") : QStringLiteral("sentences");
}

QString metaKey(VerdictTable table, const QString &decider)
{
    return QStringLiteral("verdicts.%1.%2").arg(tableName(table), decider);
}

ReasonTable reasonTable(VerdictTable table)
{
    return table == VerdictTable::Images ? ReasonTable::Images : ReasonTable::Sentences;
}

// The stage that decides a reason, from the registry; codes not in it are
// probe failures and refusals, which extract records.
QString deciderOf(VerdictTable table, const QString &reason)
{
    for (const ReasonDef &d : reasonDefs(reasonTable(table)))
        if (d.code == reason)
            return d.stage;
    return QStringLiteral("extract");
}

QStringList decidersOf(VerdictTable table)
{
    QStringList out;
    for (const ReasonDef &d : reasonDefs(reasonTable(table)))
        if (!out.contains(d.stage))
            out.push_back(d.stage);
    return out;
}

// One digest per deciding stage, over the rows it refused: a stage that
// reads verdicts depends only on those of the stages before it.
QMap<QString, QString> digestsOf(VerdictTable table, const QVector<Verdict> &verdicts)
{
    QMap<QString, std::shared_ptr<QCryptographicHash>> hashes;
    for (const QString &d : decidersOf(table))
        hashes.insert(d, std::make_shared<QCryptographicHash>(QCryptographicHash::Sha1));
    for (const Verdict &v : verdicts) {
        if (v.reason.isEmpty())
            continue; // kept rows add nothing: ingest adds them without touching a digest
        auto &h = hashes[deciderOf(table, v.reason)];
        if (!h)
            h = std::make_shared<QCryptographicHash>(QCryptographicHash::Sha1);
        h->addData(QByteArray(QByteArray::number(v.id) + ':' + v.reason.toUtf8() + ':' + QByteArray::number(v.duplicateOf) + ';'));
    }
    QMap<QString, QString> out;
    for (auto it = hashes.cbegin(); it != hashes.cend(); ++it)
        out.insert(it.key(), QString::fromLatin1(it.value()->result().toHex().left(16)));
    return out;
}

Result<QVector<Verdict>> readVerdicts(ProjectStore &store, VerdictTable table)
{
    auto q = store.exec(QStringLiteral("SELECT id, reject_reason, duplicate_of FROM %1 ORDER BY id").arg(tableName(table)));
    if (!q)
        return q.error();
    QVector<Verdict> out;
    while (q->next())
        out.push_back({q->value(0).toLongLong(), q->value(1).toString(), q->value(2).toLongLong()});
    return out;
}

} // namespace

Status writeVerdicts(ProjectStore &store, VerdictTable table, const QVector<Verdict> &verdicts)
{
    auto current = readVerdicts(store, table);
    if (!current)
        return current.error();
    Transaction tx(store);
    auto update = store.prepare(QStringLiteral("UPDATE %1 SET reject_reason = ?, duplicate_of = ? WHERE id = ?").arg(tableName(table)));
    if (!update)
        return update.error();
    // Both lists are in id order: walk them together and touch only changes.
    qsizetype c = 0;
    for (const Verdict &v : verdicts) {
        while (c < current->size() && current->at(c).id < v.id)
            ++c;
        if (c < current->size() && current->at(c).id == v.id && current->at(c).reason == v.reason
            && current->at(c).duplicateOf == v.duplicateOf)
            continue;
        if (Status s = store.execPrepared(*update, {v.reason.isEmpty() ? QVariant() : QVariant(v.reason),
                                                    v.duplicateOf ? QVariant(v.duplicateOf) : QVariant(), v.id});
            !s)
            return s;
    }
    const QMap<QString, QString> digests = digestsOf(table, verdicts);
    for (auto it = digests.cbegin(); it != digests.cend(); ++it)
        if (Status s = store.setMeta(metaKey(table, it.key()), it.value()); !s)
            return s;
    return tx.commit();
}

Result<QString> verdictDigest(ProjectStore &store, const QStringList &deciders)
{
    QString out;
    for (VerdictTable table : {VerdictTable::Images, VerdictTable::Sentences}) {
        QMap<QString, QString> digests;
        for (const QString &d : decidersOf(table))
            if (deciders.contains(d))
                digests.insert(d, store.meta(metaKey(table, d)));
        bool complete = true;
        for (const QString &v : std::as_const(digests))
            complete &= !v.isEmpty();
        if (!complete) { // written before digests existed: read the table
            auto rows = readVerdicts(store, table);
            if (!rows)
                return rows.error();
            const QMap<QString, QString> all = digestsOf(table, *rows);
            for (auto it = digests.begin(); it != digests.end(); ++it)
                it.value() = all.value(it.key());
        }
        for (auto it = digests.cbegin(); it != digests.cend(); ++it)
            out += tableName(table) + QLatin1Char('.') + it.key() + QLatin1Char('=') + it.value() + QLatin1Char(';');
    }
    return out;
}

} // namespace rs
