#pragma once
// IssueLogModel: the project's issue log (table `issues`) plus the issues
// the running job reports live, newest first.
//
// Stored issues are read in pages of kPageSize through canFetchMore() /
// fetchMore(), so a log of a million entries opens at once. Live issues are
// inserted at the top as they arrive and kept (on top) by reload(), until
// another project is set.
//
// Columns: severity, stage, item, text. Threads: GUI thread.

#include "core/util/jobcontext.h"

#include <QAbstractTableModel>
#include <QVector>

namespace rs {

class ProjectStore;

class IssueLogModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SeverityColumn, StageColumn, ItemColumn, TextColumn, ColumnCount };
    enum Role { ImageIdRole = Qt::UserRole + 1 };
    static constexpr int kPageSize = 500;

    explicit IssueLogModel(QObject *parent = nullptr);

    void setStore(ProjectStore *store); // reloads; null empties the log
    void reload();
    void addLive(const QString &stage, const QVector<JobIssue> &issues);
    // Issues in the store (not counting the live ones).
    qint64 storedCount() const { return m_storedTotal; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

private:
    struct Entry {
        QString severity, stage, itemKind, text, context;
        qint64 itemId = -1;
        bool live = false;
    };
    ProjectStore *m_store = nullptr;
    QVector<Entry> m_rows;
    qint64 m_storedTotal = 0;
    qint64 m_storedLoaded = 0;
    bool m_fetching = false;
    qint64 m_lastId = -1; // keyset pagination: smallest id loaded so far
};

} // namespace rs
