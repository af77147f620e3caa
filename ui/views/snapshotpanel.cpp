#include "ui/views/snapshotpanel.h"

#include "core/export/snapshot.h"
#include "core/store/projectstore.h"
#include "core/store/reasons.h"
#include "ui/models/projectsession.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace rs {

SnapshotPanel::SnapshotPanel(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(QStringLiteral("snapshot name, e.g. cap20"));
    m_take = new QPushButton(QStringLiteral("Take Snapshot"), this);
    m_take->setToolTip(QStringLiteral("Freeze the recipe, the selection and every exported field (realsyn snapshot)"));
    m_a = new QComboBox(this);
    m_b = new QComboBox(this);
    m_compare = new QPushButton(QStringLiteral("Compare"), this);
    m_compare->setToolTip(QStringLiteral("What changed from A to B (realsyn diff)"));
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_tree = new QTreeWidget(this);
    m_tree->setHeaderHidden(true);
    m_tree->setUniformRowHeights(true);

    auto *row1 = new QHBoxLayout;
    row1->addWidget(m_name, 1);
    row1->addWidget(m_take);
    auto *row2 = new QHBoxLayout;
    row2->addWidget(new QLabel(QStringLiteral("A"), this));
    row2->addWidget(m_a, 1);
    row2->addWidget(new QLabel(QStringLiteral("B"), this));
    row2->addWidget(m_b, 1);
    row2->addWidget(m_compare);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addLayout(row1);
    layout->addLayout(row2);
    layout->addWidget(m_status);
    layout->addWidget(m_tree, 1);

    connect(m_take, &QPushButton::clicked, this, [this]() {
        if (Status s = takeSnapshot(m_name->text().trimmed()); !s)
            m_status->setText(s.error().toString());
    });
    connect(m_name, &QLineEdit::returnPressed, m_take, &QPushButton::click);
    connect(m_compare, &QPushButton::clicked, this, [this]() {
        if (Status s = compare(m_a->currentText(), m_b->currentText()); !s)
            m_status->setText(s.error().toString());
    });
    connect(m_tree, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        const qint64 id = item->data(0, Qt::UserRole).toLongLong();
        if (id > 0)
            Q_EMIT sampleRequested(id);
    });
    connect(m_session, &ProjectSession::opened, this, [this]() {
        m_tree->clear();
        m_diff = QJsonObject();
        m_status->clear();
        reloadNames();
    });
    connect(m_session, &ProjectSession::closed, this, [this]() {
        m_tree->clear();
        m_diff = QJsonObject();
        m_a->clear();
        m_b->clear();
    });
}

void SnapshotPanel::reloadNames()
{
    const QString a = m_a->currentText(), b = m_b->currentText();
    m_a->clear();
    m_b->clear();
    if (!m_session->isOpen())
        return;
    auto all = listSnapshots(*m_session->store());
    if (all)
        for (const SnapshotInfo &i : std::as_const(*all)) {
            m_a->addItem(i.name);
            m_b->addItem(i.name);
        }
    m_a->addItem(currentStateName());
    m_b->addItem(currentStateName());
    m_a->setCurrentIndex(a.isEmpty() ? 0 : std::max(0, m_a->findText(a)));
    m_b->setCurrentIndex(std::max(0, m_b->findText(b.isEmpty() ? currentStateName() : b)));
}

Status SnapshotPanel::takeSnapshot(const QString &name)
{
    if (!m_session->isOpen())
        return makeError(ErrorCode::NotFound, QStringLiteral("no project open"));
    auto info = createSnapshot(*m_session->store(), m_session->recipe(), name);
    if (!info)
        return info.error();
    m_status->setText(QStringLiteral("Snapshot %1: %2 selected of %3 images.").arg(info->name).arg(info->selected).arg(info->images));
    m_name->clear();
    reloadNames();
    return {};
}

Status SnapshotPanel::compare(const QString &a, const QString &b)
{
    if (!m_session->isOpen())
        return makeError(ErrorCode::NotFound, QStringLiteral("no project open"));
    auto sa = loadSelectionState(*m_session->store(), m_session->recipe(), a);
    if (!sa)
        return sa.error();
    auto sb = loadSelectionState(*m_session->store(), m_session->recipe(), b);
    if (!sb)
        return sb.error();
    m_diff = diffStates(*sa, *sb);
    m_tree->clear();
    const QJsonObject settings = m_diff.value(QStringLiteral("settings")).toObject();
    auto *set = new QTreeWidgetItem(m_tree, {QStringLiteral("Settings changed (%1)").arg(settings.size())});
    const auto text = [](const QJsonValue &v) { return v.isNull() ? QStringLiteral("(unset)") : v.toString(); };
    for (auto it = settings.begin(); it != settings.end(); ++it) {
        const QJsonObject v = it.value().toObject();
        new QTreeWidgetItem(set, {QStringLiteral("%1: %2 → %3").arg(it.key(), text(v.value(QStringLiteral("a"))), text(v.value(QStringLiteral("b"))))});
    }
    const auto reasonName = [](const QString &code) {
        // The registry's display name, whichever table knows the code.
        for (ReasonTable t : {ReasonTable::Images, ReasonTable::Sample})
            if (reasonCodes(t).contains(code))
                return reasonDisplayName(t, code);
        return code;
    };
    for (const char *which : {"entered", "left"}) {
        const QJsonArray items = m_diff.value(QLatin1String(which)).toArray();
        const bool entered = qstrcmp(which, "entered") == 0;
        auto *group = new QTreeWidgetItem(m_tree, {QStringLiteral("%1 the selection (%2)").arg(entered ? QStringLiteral("Entered") : QStringLiteral("Left")).arg(items.size())});
        for (const QJsonValue &v : items) {
            const QString reason = v[entered ? QStringLiteral("old_reason") : QStringLiteral("new_reason")].toString();
            auto *item = new QTreeWidgetItem(group, {QStringLiteral("#%1  %2 %3").arg(v[QStringLiteral("id")].toInteger())
                                                         .arg(entered ? QStringLiteral("was") : QStringLiteral("now"), reasonName(reason))});
            item->setData(0, Qt::UserRole, v[QStringLiteral("id")].toInteger());
        }
    }
    const QJsonObject ca = m_diff.value(QStringLiteral("counts")).toObject().value(QStringLiteral("a")).toObject();
    const QJsonObject cb = m_diff.value(QStringLiteral("counts")).toObject().value(QStringLiteral("b")).toObject();
    QStringList keys = ca.keys() + cb.keys();
    keys.removeDuplicates();
    keys.sort();
    auto *counts = new QTreeWidgetItem(m_tree, {QStringLiteral("Counts")});
    for (const QString &k : std::as_const(keys))
        new QTreeWidgetItem(counts, {QStringLiteral("%1: %2 → %3").arg(k).arg(ca.value(k).toInteger()).arg(cb.value(k).toInteger())});
    m_tree->expandAll();
    m_status->setText(QStringLiteral("%1 → %2").arg(a, b));
    return {};
}

} // namespace rs
