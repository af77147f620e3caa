#pragma once
// SnapshotPanel: takes a snapshot of the project (`realsyn snapshot`) and
// compares two of them, or one with the current state (`realsyn diff`):
// settings that changed, images that entered or left the selection with
// their reasons, and counts per reason. Both run core/export/snapshot, the
// code behind the CLI commands.
//
// Threads: GUI thread, through the session's store connection (taking a
// snapshot writes one row per image in one transaction).

#include "core/util/result.h"

#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;

namespace rs {

class ProjectSession;

class SnapshotPanel : public QWidget {
    Q_OBJECT
public:
    explicit SnapshotPanel(ProjectSession *session, QWidget *parent = nullptr);

    // Freezes the current state under `name`; the error says why not.
    Status takeSnapshot(const QString &name);
    // Shows the difference from `a` to `b` (snapshot names or "current").
    Status compare(const QString &a, const QString &b);
    // The last comparison, in `realsyn diff --json`'s shape (empty before one).
    const QJsonObject &diff() const { return m_diff; }
    QTreeWidget *tree() const { return m_tree; }
    QComboBox *aBox() const { return m_a; }
    QComboBox *bBox() const { return m_b; }

Q_SIGNALS:
    void sampleRequested(qint64 id); // an entered/left image was activated

private:
    void reloadNames();

    ProjectSession *m_session;
    QLineEdit *m_name;
    QPushButton *m_take, *m_compare;
    QComboBox *m_a, *m_b;
    QLabel *m_status;
    QTreeWidget *m_tree;
    QJsonObject m_diff;
};

} // namespace rs
