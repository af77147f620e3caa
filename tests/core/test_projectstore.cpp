#include "core/store/nativestatement.h"
#include "core/store/projectstore.h"
#include "core/store/recipe.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/file.h>

using namespace rs;

class TestProjectStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createThenOpen()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        {
            auto store = ProjectStore::create(dir);
            QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().toString()));
            QVERIFY((*store)->setMeta(QStringLiteral("k"), QStringLiteral("v")).ok());
        }
        QVERIFY(ProjectStore::isProject(dir));
        auto store = ProjectStore::open(dir);
        QVERIFY(store.ok());
        QCOMPARE((*store)->meta(QStringLiteral("k")), QStringLiteral("v"));
        auto version = (*store)->scalar(QStringLiteral("PRAGMA user_version"));
        QCOMPARE(version->toInt(), ProjectStore::kSchemaVersion);
        auto mode = (*store)->scalar(QStringLiteral("PRAGMA journal_mode"));
        QCOMPARE(mode->toString(), QStringLiteral("wal"));
    }

    // The native statements ingest writes with: same connection as the
    // store's queries (its transaction included), NULLs as QSqlQuery binds
    // them, errors that name the SQL, and the statement reusable after one.
    void nativeStatementOnTheStoresConnection()
    {
        QTemporaryDir tmp;
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        ProjectStore &s = **store;
        QVERIFY(s.exec(QStringLiteral("CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER, x REAL, s TEXT UNIQUE)")).ok());

        QVERIFY(!NativeStatement::prepare(s, "INSERT INTO nowhere VALUES(1)").ok());
        auto insert = NativeStatement::prepare(s, "INSERT INTO t(n, x, s) VALUES(?, ?, ?)");
        QVERIFY(insert.ok());
        auto find = NativeStatement::prepare(s, "SELECT id FROM t WHERE s = ?");
        QVERIFY(find.ok());
        {
            Transaction tx(s);
            QVERIFY(insert->bind(0, qint64(1) << 40).bind(1, 0.25).bind(2, QStringLiteral("a\u00E9\U0001F600")).exec().ok());
            QCOMPARE(insert->lastInsertId(), 1);
            // Unbound and null-string parameters are NULL; an empty string is not.
            QVERIFY(insert->bind(2, QString()).exec().ok());
            QVERIFY(insert->bind(2, QStringLiteral("")).exec().ok());
            const Status duplicate = insert->bind(2, QStringLiteral("")).exec();
            QVERIFY(!duplicate.ok());
            QVERIFY2(duplicate.error().message.contains(QLatin1String("UNIQUE")), qPrintable(duplicate.error().message));
            QVERIFY(duplicate.error().context.startsWith(QLatin1String("INSERT INTO t")));
            QVERIFY(insert->bind(0, 7).bind(2, QStringLiteral("b")).exec().ok()); // usable after the failure
            QVERIFY(tx.commit().ok());
        }
        QCOMPARE(s.scalar(QStringLiteral("SELECT count(*) FROM t WHERE n IS NULL AND s IS NULL"))->toInt(), 1);
        QCOMPARE(s.scalar(QStringLiteral("SELECT count(*) FROM t WHERE s = ''"))->toInt(), 1);
        QCOMPARE(s.scalar(QStringLiteral("SELECT n FROM t WHERE x = 0.25"))->toLongLong(), qint64(1) << 40);
        QCOMPARE(s.scalar(QStringLiteral("SELECT s FROM t WHERE id = 1"))->toString(), QStringLiteral("a\u00E9\U0001F600"));
        auto hit = find->bind(0, QStringLiteral("b")).firstInt64();
        QVERIFY(hit.ok() && hit->has_value());
        QCOMPARE(**hit, 4);
        auto miss = find->bind(0, QStringLiteral("zz")).firstInt64();
        QVERIFY(miss.ok() && !miss->has_value());

        // Rows, in order, with SQLite's conversions; the statement starts
        // over once it has given its last row.
        auto rows = NativeStatement::prepare(s, "SELECT n, x, s FROM t WHERE id >= ? ORDER BY id");
        QVERIFY(rows.ok());
        for (int pass = 0; pass < 2; ++pass) {
            rows->bind(0, 1);
            QStringList seen;
            while (true) {
                auto row = rows->next();
                QVERIFY(row.ok());
                if (!*row)
                    break;
                seen << QStringLiteral("%1|%2|%3|%4").arg(rows->int64(0)).arg(rows->real(1)).arg(rows->text(2)).arg(rows->text(2).isNull() ? QStringLiteral("true") : QStringLiteral("false"));
                // The stored bytes are the text's UTF-8; NULL reads as empty.
                QCOMPARE(rows->utf8(2), QByteArrayView(rows->text(2).toUtf8()));
            }
            QCOMPARE(seen, QStringList({QStringLiteral("1099511627776|0.25|a\u00E9\U0001F600|false"), QStringLiteral("0|0||true"),
                                        QStringLiteral("0|0||false"), QStringLiteral("7|0|b|false")}));
        }
    }

    void createRefusesNonEmptyFolder()
    {
        QTemporaryDir tmp;
        QFile f(tmp.filePath(QStringLiteral("keep.txt")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("precious");
        f.close();
        auto store = ProjectStore::create(tmp.path());
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::InvalidArgument);
        QVERIFY(QFile::exists(tmp.filePath(QStringLiteral("keep.txt"))));
    }

    void openErrors_data()
    {
        QTest::addColumn<QString>("sub");
        QTest::addColumn<bool>("makeDir");
        QTest::newRow("missing folder") << QStringLiteral("nope") << false;
        QTest::newRow("not a project") << QStringLiteral("plain") << true;
    }
    void openErrors()
    {
        QFETCH(QString, sub);
        QFETCH(bool, makeDir);
        QTemporaryDir tmp;
        if (makeDir)
            QDir(tmp.path()).mkdir(sub);
        auto store = ProjectStore::open(tmp.filePath(sub));
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::NotFound);
        QVERIFY(!store.error().message.isEmpty());
    }

    void corruptDatabaseIsAClearError()
    {
        QTemporaryDir tmp;
        QFile f(tmp.filePath(QStringLiteral("project.sqlite")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
        f.close();
        auto store = ProjectStore::open(tmp.path());
        QVERIFY(!store.ok());
        QVERIFY(store.error().message.contains(QStringLiteral("SQLite")) || store.error().message.contains(QStringLiteral("database")));
    }

    void secondWriterIsLockedOut()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        auto first = ProjectStore::create(dir);
        QVERIFY(first.ok());
        auto second = ProjectStore::open(dir);
        QVERIFY(!second.ok());
        QCOMPARE(second.error().code, ErrorCode::Conflict);
        QVERIFY(second.error().message.contains(QStringLiteral("locked")));
        // Readers are welcome while a writer works.
        auto reader = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
        QVERIFY(reader.ok());
    }

    // Issue 11: an empty or garbled project.lock blocked every writer
    // forever, with no hint. Nobody holds it, so it is reclaimed.
    void emptyOrGarbledLockIsReclaimed_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbled") << QByteArray("\xff\xfe\x00not a lock\n\n\n", 16);
    }
    void emptyOrGarbledLockIsReclaimed()
    {
        QFETCH(QByteArray, content);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        QVERIFY(ProjectStore::create(dir).ok());
        QFile lock(dir + QStringLiteral("/project.lock"));
        QVERIFY(lock.open(QIODevice::WriteOnly));
        lock.write(content);
        lock.close();
        auto store = ProjectStore::open(dir);
        QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().toString()));
    }

    void garbledLockInUseNamesTheFile()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        QVERIFY(ProjectStore::create(dir).ok());
        QFile lock(dir + QStringLiteral("/project.lock"));
        QVERIFY(lock.open(QIODevice::WriteOnly));
        lock.write("garbage");
        lock.flush();
        // A holder that is still alive keeps an flock on the file, as QLockFile does.
        QCOMPARE(::flock(lock.handle(), LOCK_EX | LOCK_NB), 0);
        auto store = ProjectStore::open(dir);
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::Conflict);
        QVERIFY2(store.error().message.contains(lock.fileName()), qPrintable(store.error().message));
        QVERIFY2(store.error().message.contains(QStringLiteral("remove")), qPrintable(store.error().message));
        lock.close();
        QVERIFY(QFile::exists(lock.fileName())); // a lock in use is never removed
    }

    void transactionRollsBackWhenNotCommitted()
    {
        QTemporaryDir tmp;
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        {
            Transaction tx(**store);
            QVERIFY((*store)->setMeta(QStringLiteral("temp"), QStringLiteral("1")).ok());
        }
        QCOMPARE((*store)->meta(QStringLiteral("temp"), QStringLiteral("absent")), QStringLiteral("absent"));
    }

    void issuesLoggedInARolledBackTransactionSurvive()
    {
        QTemporaryDir tmp;
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        {
            Transaction tx(**store);
            QVERIFY((*store)->setMeta(QStringLiteral("temp"), QStringLiteral("1")).ok());
            QVERIFY((*store)->logIssue(QStringLiteral("extract"), QStringLiteral("error"), QStringLiteral("image"), 7,
                                       QStringLiteral("the reason the batch failed"), QString()).ok());
        } // rolled back
        QCOMPARE((*store)->meta(QStringLiteral("temp"), QStringLiteral("absent")), QStringLiteral("absent"));
        QCOMPARE((*store)->scalar(QStringLiteral("SELECT text FROM issues WHERE item_id = 7"))->toString(),
                 QStringLiteral("the reason the batch failed"));
        {
            Transaction tx(**store);
            QVERIFY((*store)->logIssue(QStringLiteral("extract"), QStringLiteral("warning"), QStringLiteral("image"), 8,
                                       QStringLiteral("committed with it"), QString()).ok());
            QVERIFY(tx.commit().ok());
        }
        QCOMPARE((*store)->scalar(QStringLiteral("SELECT count(*) FROM issues"))->toInt(), 2);
    }

    void olderSchemaIsMigratedNewerIsRefused()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        {
            auto store = ProjectStore::create(dir);
            QVERIFY(store.ok());
            // Make it look like a version-1 project with data in it.
            QVERIFY((*store)->exec(QStringLiteral("INSERT INTO images(image_key, path) VALUES('k', '/x.png')")).ok());
            QVERIFY((*store)->exec(QStringLiteral("ALTER TABLE images DROP COLUMN brisque")).ok());
            QVERIFY((*store)->exec(QStringLiteral("DROP TABLE image_pairs")).ok());
            QVERIFY((*store)->exec(QStringLiteral("ALTER TABLE stages DROP COLUMN inputs")).ok());
            QVERIFY((*store)->exec(QStringLiteral("INSERT INTO stages(name, fingerprint, finished_at) VALUES('extract', 'f', 'now')")).ok());
            for (const char *c : {"visual", "ocr", "context", "lexical"})
                QVERIFY((*store)->exec(QStringLiteral("ALTER TABLE retrievals DROP COLUMN %1").arg(QLatin1String(c))).ok());
            for (const char *t : {"duplicate_keepers", "snapshot_images", "snapshots"})
                QVERIFY((*store)->exec(QStringLiteral("DROP TABLE %1").arg(QLatin1String(t))).ok());
            QVERIFY((*store)->exec(QStringLiteral("PRAGMA user_version = 1")).ok());
        }
        {
            // Even a read-only open (`stats`) upgrades it, keeping the data.
            auto store = ProjectStore::open(dir, ProjectStore::Access::ReadOnly);
            QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().toString()));
            QCOMPARE((*store)->scalar(QStringLiteral("PRAGMA user_version"))->toInt(), ProjectStore::kSchemaVersion);
            QVERIFY((*store)->exec(QStringLiteral("SELECT brisque FROM images")).ok());
            QCOMPARE((*store)->scalar(QStringLiteral("SELECT count(*) FROM images"))->toInt(), 1);
            // Version 3: embedding pairs, and stage runs from before it have no
            // recorded inputs (NULL: compared by fingerprint alone).
            QVERIFY((*store)->exec(QStringLiteral("SELECT kind, a, b, score FROM image_pairs")).ok());
            QVERIFY((*store)->scalar(QStringLiteral("SELECT inputs FROM stages WHERE name = 'extract'"))->isNull());
            // Version 5: snapshots (none yet).
            QCOMPARE((*store)->scalar(QStringLiteral("SELECT count(*) FROM snapshot_images"))->toInt(), 0);
            // Version 6: the curator's duplicate keepers (none yet).
            QCOMPARE((*store)->scalar(QStringLiteral("SELECT count(*) FROM duplicate_keepers"))->toInt(), 0);
        }
        {
            auto store = ProjectStore::open(dir);
            QVERIFY((*store)->exec(QStringLiteral("PRAGMA user_version = 99")).ok());
        }
        auto store = ProjectStore::open(dir);
        QVERIFY(!store.ok());
        QCOMPARE(store.error().code, ErrorCode::Unsupported);
        QVERIFY(store.error().message.contains(QStringLiteral("newer")));
    }

    void version3RetrievalsGainSignalColumns()
    {
        // A project written before fused retrieval: retrievals without
        // per-signal scores. Opening migrates it; old rows keep their score
        // and have no signals (NULL), new rows can store them.
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(QStringLiteral("p"));
        {
            auto store = ProjectStore::create(dir);
            QVERIFY(store.ok());
            for (const char *c : {"visual", "ocr", "context", "lexical"})
                QVERIFY((*store)->exec(QStringLiteral("ALTER TABLE retrievals DROP COLUMN %1").arg(QLatin1String(c))).ok());
            QVERIFY((*store)->exec(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score) VALUES(7, 1, 42, 0.5)")).ok());
            for (const char *t : {"duplicate_keepers", "snapshot_images", "snapshots"})
                QVERIFY((*store)->exec(QStringLiteral("DROP TABLE %1").arg(QLatin1String(t))).ok());
            QVERIFY((*store)->exec(QStringLiteral("PRAGMA user_version = 3")).ok());
        }
        auto store = ProjectStore::open(dir);
        QVERIFY2(store.ok(), qPrintable(store.ok() ? QString() : store.error().toString()));
        QCOMPARE((*store)->scalar(QStringLiteral("PRAGMA user_version"))->toInt(), ProjectStore::kSchemaVersion);
        auto q = (*store)->exec(QStringLiteral("SELECT score, visual, ocr, context, lexical FROM retrievals WHERE image_id = 7"));
        QVERIFY(q.ok());
        QVERIFY(q->next());
        QCOMPARE(q->value(0).toDouble(), 0.5);
        for (int c = 1; c <= 4; ++c)
            QVERIFY(q->value(c).isNull());
        QVERIFY((*store)->exec(QStringLiteral("INSERT INTO retrievals(image_id, rank, sentence_id, score, visual, ocr, context, lexical)"
                                              " VALUES(7, 2, 43, 0.4, 0.1, 0.2, 0.3, 0.4)")).ok());
        QCOMPARE((*store)->scalar(QStringLiteral("SELECT lexical FROM retrievals WHERE rank = 2"))->toDouble(), 0.4);
    }

    void recipeValidation_data()
    {
        QTest::addColumn<QString>("assignment");
        QTest::addColumn<bool>("ok");
        QTest::newRow("int") << QStringLiteral("extract.min_side=64") << true;
        QTest::newRow("int sci") << QStringLiteral("extract.max_pixels=1e6") << true;
        QTest::newRow("int fraction") << QStringLiteral("extract.min_side=6.5") << false;
        QTest::newRow("int below min") << QStringLiteral("extract.min_side=0") << false;
        QTest::newRow("double") << QStringLiteral("extract.min_entropy=0.5") << true;
        QTest::newRow("double nan") << QStringLiteral("extract.min_entropy=nan") << false;
        QTest::newRow("bool") << QStringLiteral("extract.drop_code=off") << true;
        QTest::newRow("bool junk") << QStringLiteral("extract.drop_code=maybe") << false;
        QTest::newRow("unknown key") << QStringLiteral("extract.colour=blue") << false;
        QTest::newRow("no equals") << QStringLiteral("extract.min_side") << false;
    }
    void recipeValidation()
    {
        QFETCH(QString, assignment);
        QFETCH(bool, ok);
        Recipe r;
        QCOMPARE(r.setAssignment(assignment).ok(), ok);
    }

    void recipePersistsAndFingerprints()
    {
        QTemporaryDir tmp;
        auto store = ProjectStore::create(tmp.filePath(QStringLiteral("p")));
        QVERIFY(store.ok());
        Recipe r;
        const QString before = r.fingerprint({QStringLiteral("extract.")});
        const QString otherStage = r.fingerprint({QStringLiteral("seed")});
        QVERIFY(r.set(QStringLiteral("extract.min_words"), QStringLiteral("5")).ok());
        QVERIFY(r.fingerprint({QStringLiteral("extract.")}) != before);
        QCOMPARE(r.fingerprint({QStringLiteral("seed")}), otherStage);
        QVERIFY(r.save(**store).ok());
        auto loaded = Recipe::load(**store);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->intValue(QStringLiteral("extract.min_words")), 5);
        QVERIFY(!loaded->isDefault(QStringLiteral("extract.min_words")));
        // Setting a value back to its default removes it from the store.
        QVERIFY(loaded->set(QStringLiteral("extract.min_words"), QStringLiteral("3")).ok());
        QVERIFY(loaded->isDefault(QStringLiteral("extract.min_words")));
        QCOMPARE(loaded->fingerprint({QStringLiteral("extract.")}), before);
    }
};

QTEST_GUILESS_MAIN(TestProjectStore)
#include "test_projectstore.moc"
