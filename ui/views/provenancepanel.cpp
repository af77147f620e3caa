#include "ui/views/provenancepanel.h"

#include "core/store/samplequery.h"
#include "ui/models/projectsession.h"

#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace rs {

ProvenancePanel::ProvenancePanel(ProjectSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({QStringLiteral("Field"), QStringLiteral("Value")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setUniformRowHeights(true);
    m_tree->setWordWrap(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_title);
    layout->addWidget(m_tree, 1);

    connect(m_session, &ProjectSession::closed, this, [this]() { showSample(-1); });
    // Stages and decisions change what an image's lineage says.
    connect(m_session, &ProjectSession::stagesChanged, this, &ProvenancePanel::refresh);
    connect(m_session, &ProjectSession::sampleChanged, this, [this](qint64 id) {
        if (id == m_id)
            refresh();
    });
    showSample(-1);
}

void ProvenancePanel::showSample(qint64 id)
{
    m_id = id;
    refresh();
}

void ProvenancePanel::refresh()
{
    m_tree->clear();
    m_details = QJsonObject();
    if (m_id < 0 || !m_session->isOpen()) {
        m_title->setText(QStringLiteral("Select an image to see its whole lineage (as `realsyn show --json`)."));
        return;
    }
    auto details = sampleDetails(*m_session->store(), m_id);
    if (!details) {
        m_title->setText(details.error().toString());
        return;
    }
    m_details = *details;
    m_title->setText(QStringLiteral("Image #%1: everything it was made from").arg(m_id));
    for (auto it = m_details.begin(); it != m_details.end(); ++it)
        addValue(m_tree->invisibleRootItem(), it.key(), it.value());
    m_tree->expandToDepth(0);
}

void ProvenancePanel::addValue(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value)
{
    auto *item = new QTreeWidgetItem(parent, {key});
    switch (value.type()) {
    case QJsonValue::Object: {
        const QJsonObject o = value.toObject();
        item->setText(1, QStringLiteral("{%1}").arg(o.size()));
        for (auto it = o.begin(); it != o.end(); ++it)
            addValue(item, it.key(), it.value());
        break;
    }
    case QJsonValue::Array: {
        const QJsonArray a = value.toArray();
        item->setText(1, QStringLiteral("[%1]").arg(a.size()));
        for (qsizetype i = 0; i < a.size(); ++i)
            addValue(item, QString::number(i), a[i]);
        break;
    }
    case QJsonValue::Bool:
        item->setText(1, value.toBool() ? QStringLiteral("true") : QStringLiteral("false"));
        break;
    case QJsonValue::Double:
        item->setText(1, QString::number(value.toDouble(), 'g', 10));
        break;
    case QJsonValue::String:
        item->setText(1, value.toString());
        item->setToolTip(1, value.toString()); // long texts are elided in the column
        break;
    default:
        item->setText(1, QStringLiteral("null"));
        break;
    }
}

} // namespace rs
