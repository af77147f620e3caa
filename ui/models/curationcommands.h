#pragma once
// The undoable steps of a curator (QUndoCommand), pushed by ProjectSession.
// Each redo/undo calls the session's raw operation — previewSetting(),
// writeDecisions(), writeEditedText() — the same code path the action took
// the first time, so undo cannot drift from what doing it again would give.
//
// Threads: GUI thread (like the session).

#include <QString>
#include <QUndoCommand>
#include <QVector>

#include <QElapsedTimer>
#include <utility>
#include <vector>

namespace rs {

class ProjectSession;

// One setting's value, before -> after. A slider drag emits many values:
// changes of the same key within kMergeMs of each other merge into one step.
class SettingCommand : public QUndoCommand {
public:
    static constexpr int kMergeMs = 1000;
    // mergeable = false: a step of its own (a reset to the default).
    SettingCommand(ProjectSession *session, const QString &key, const QString &before, const QString &after, bool mergeable = true);
    void redo() override;
    void undo() override;
    int id() const override { return m_mergeable ? 1 : -1; }
    bool mergeWith(const QUndoCommand *other) override;
    QString key() const { return m_key; }

private:
    void updateText();
    ProjectSession *m_session;
    QString m_key, m_before, m_after;
    QElapsedTimer m_lastChange;
    bool m_mergeable;
};

// Curator decisions on one or many images (a batch is one step): redo sets
// them all to `after`, undo restores each image's own previous decision.
class DecisionCommand : public QUndoCommand {
public:
    DecisionCommand(ProjectSession *session, QVector<std::pair<qint64, QString>> before, const QString &after);
    void redo() override;
    void undo() override;

private:
    ProjectSession *m_session;
    QVector<std::pair<qint64, QString>> m_before;
    QString m_after;
    bool m_pushed = false;
};

// A stored edit of one image's synthetic text (empty = the generator's text).
class TextEditCommand : public QUndoCommand {
public:
    TextEditCommand(ProjectSession *session, qint64 imageId, const QString &before, const QString &after);
    void redo() override;
    void undo() override;

private:
    ProjectSession *m_session;
    qint64 m_id;
    QString m_before, m_after;
    bool m_pushed = false;
};

// The curator's keeper of a near-duplicate group: redo stores `after`'s
// keeper marks, undo the group's marks as they were (each through
// ProjectSession::writeDuplicateKeepers(), which re-decides the verdicts).
class KeeperCommand : public QUndoCommand {
public:
    KeeperCommand(ProjectSession *session, qint64 keeper, std::vector<std::pair<qint64, bool>> before,
                  std::vector<std::pair<qint64, bool>> after);
    void redo() override;
    void undo() override;

private:
    ProjectSession *m_session;
    std::vector<std::pair<qint64, bool>> m_before, m_after;
};

} // namespace rs
