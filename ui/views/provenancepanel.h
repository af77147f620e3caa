#pragma once
// ProvenancePanel: one image's whole lineage as a tree — its documents and
// positions, references with alt text, every filter decision with its score
// and threshold, the retrieved texts with their signals, the generation's
// inputs and model, and the sampling cluster — exactly what
// `realsyn show DIR ID --json` prints (both read core's sampleDetails()).
//
// Threads: GUI thread; reads through the session's store connection (a
// handful of indexed queries per image).

#include <QJsonObject>
#include <QWidget>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;
class QJsonValue;

namespace rs {

class ProjectSession;

class ProvenancePanel : public QWidget {
    Q_OBJECT
public:
    explicit ProvenancePanel(ProjectSession *session, QWidget *parent = nullptr);

    // Shows image `id` (< 0: nothing).
    void showSample(qint64 id);
    qint64 currentId() const { return m_id; }
    // What the tree shows: sampleDetails() of the current image (empty when none or on error).
    const QJsonObject &details() const { return m_details; }
    QTreeWidget *tree() const { return m_tree; }

private:
    void refresh();
    static void addValue(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value);

    ProjectSession *m_session;
    QLabel *m_title;
    QTreeWidget *m_tree;
    qint64 m_id = -1;
    QJsonObject m_details;
};

} // namespace rs
