#pragma once
// ExportDialog: format, destination and options of an export of the current
// selection, how many samples it will hold, progress, and a summary of the
// result. Runs on the session's job runner.

#include <QDialog>
#include <QVector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace rs {

class ProjectSession;

class ExportDialog : public QDialog {
    Q_OBJECT
public:
    explicit ExportDialog(ProjectSession *session, QWidget *parent = nullptr);
    // Whether this build has the export stage (core/export).
    static bool isAvailable();
    // Export only these images (a lasso on the map, a search result): the
    // exporter's ExportOptions::ids. `origin` says where they came from.
    void setImageIds(const QVector<qint64> &ids, const QString &origin);

private:
    void start();
    void countSelection();

    ProjectSession *m_session;
    QComboBox *m_format = nullptr;
    QLineEdit *m_out = nullptr;
    QDoubleSpinBox *m_val = nullptr;
    QSpinBox *m_shard = nullptr;
    QCheckBox *m_force = nullptr;
    QComboBox *m_compression = nullptr; // parquet
    QCheckBox *m_noImages = nullptr;    // parquet, jsonl
    QLabel *m_counts = nullptr, *m_result = nullptr;
    QVector<qint64> m_ids; // empty: the whole selection
    QString m_idsOrigin;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_start = nullptr;
};

} // namespace rs
