package io.weft.instrumentation.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JdbcUrlParserTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      jdbc:postgresql://db.example.com:5433/orders?ssl=true&user=bob     | postgresql | db.example.com | 5433  | orders
      jdbc:postgresql://db.example.com/orders                            | postgresql | db.example.com | 5432  | orders
      jdbc:postgresql:orders                                             | postgresql | localhost      | 5432  | orders
      jdbc:postgresql:///orders                                          | postgresql | localhost      | 5432  | orders
      jdbc:postgresql://h1:5432,h2:5433/orders?targetServerType=primary  | postgresql | h1             | 5432  | orders
      jdbc:postgresql://[::1]:5434/orders                                | postgresql | ::1            | 5434  | orders
      jdbc:postgresql://[2001:db8::7]/orders                             | postgresql | 2001:db8::7    | 5432  | orders
      jdbc:postgresql://db.example.com:5432/                             | postgresql | db.example.com | 5432  | null
      JDBC:PostgreSQL://Db.Example.com/Orders                            | postgresql | Db.Example.com | 5432  | Orders
      jdbc:mysql://db.example.com:3307/shop?useSSL=false                 | mysql      | db.example.com | 3307  | shop
      jdbc:mysql://bob:s3cret@db.example.com/shop                        | mysql      | db.example.com | 3306  | shop
      jdbc:mysql://bob:p@ss/w:rd@db.example.com:3310/shop                | mysql      | db.example.com | 3310  | shop
      jdbc:mysql:loadbalance://h1:3306,h2:3306/shop                      | mysql      | h1             | 3306  | shop
      jdbc:mysql:replication://h1,h2/shop                                | mysql      | h1             | 3306  | shop
      jdbc:mysql+srv://_mysql._tcp.example.com/shop                      | mysql      | _mysql._tcp.example.com | 3306 | shop
      jdbc:mysql://address=(host=h)(port=3307)(user=bob)(password=x)/shop | mysql     | h              | 3307  | shop
      jdbc:mysql://(host=h,port=3308,user=bob,password=x)/shop           | mysql      | h              | 3308  | shop
      jdbc:mysql://db.example.com/shop?user=bob@corp&password=x          | mysql      | db.example.com | 3306  | shop
      jdbc:mariadb://db.example.com:3316/shop                            | mariadb    | db.example.com | 3316  | shop
      jdbc:mariadb:failover://h1,h2/shop                                 | mariadb    | h1             | 3306  | shop
      jdbc:mariadb://bob:x@h1/shop                                       | mariadb    | h1             | 3306  | shop
      jdbc:h2:mem:test                                                   | h2database | null           | -1    | test
      jdbc:h2:mem:test;DB_CLOSE_DELAY=-1;USER=sa;PASSWORD=x              | h2database | null           | -1    | test
      jdbc:h2:mem:                                                       | h2database | null           | -1    | null
      jdbc:h2:~/x                                                        | h2database | null           | -1    | ~/x
      jdbc:h2:file:/data/x;AUTO_SERVER=TRUE                              | h2database | null           | -1    | /data/x
      jdbc:h2:./data/x                                                   | h2database | null           | -1    | ./data/x
      jdbc:h2:tcp://dbhost:9093/~/db                                     | h2database | dbhost         | 9093  | ~/db
      jdbc:h2:tcp://dbhost/mem:db;USER=sa                                | h2database | dbhost         | 9092  | db
      jdbc:h2:ssl://dbhost/~/db                                          | h2database | dbhost         | 9092  | ~/db
      jdbc:sqlserver://sql.example.com\\prod:1444;databaseName=sales;user=bob;password=x | microsoft.sql_server | sql.example.com | 1444 | sales
      jdbc:sqlserver://sql.example.com\\prod;databaseName=sales         | microsoft.sql_server | sql.example.com | -1 | sales
      jdbc:sqlserver://sql.example.com;database=sales;password={a;b}     | microsoft.sql_server | sql.example.com | 1433 | sales
      jdbc:sqlserver://;serverName=sql.example.com;portNumber=1500;databaseName={sales} | microsoft.sql_server | sql.example.com | 1500 | sales
      jdbc:sqlserver://sql.example.com:1433                              | microsoft.sql_server | sql.example.com | 1433 | null
      jdbc:jtds:sqlserver://sql.example.com/sales;user=bob               | microsoft.sql_server | sql.example.com | 1433 | sales
      jdbc:jtds:sqlserver://sql.example.com:1450/sales                   | microsoft.sql_server | sql.example.com | 1450 | sales
      jdbc:oracle:thin:@ora.example.com:1521:ORCL                        | oracle.db  | ora.example.com | 1521 | ORCL
      jdbc:oracle:thin:@//ora.example.com:1522/sales.example.com         | oracle.db  | ora.example.com | 1522 | sales.example.com
      jdbc:oracle:thin:@ora.example.com/sales                            | oracle.db  | ora.example.com | 1521 | sales
      jdbc:oracle:thin:scott/tiger@ora.example.com:1521/svc              | oracle.db  | ora.example.com | 1521 | svc
      jdbc:oracle:thin:scott/"ti@ger"@ora.example.com:1521/svc           | oracle.db  | ora.example.com | 1521 | svc
      jdbc:oracle:thin:@tcps://ora.example.com:2484/svc?wallet_location=/w | oracle.db | ora.example.com | 2484 | svc
      jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=h)(PORT=1521))(CONNECT_DATA=(SERVICE_NAME=svc))) | oracle.db | h | 1521 | svc
      jdbc:oracle:thin:scott/tiger@(description=(address_list=(address=(protocol=tcp)(host = h1)(port = 1530))(address=(host=h2)))(connect_data=(sid=ORCL))) | oracle.db | h1 | 1530 | ORCL
      jdbc:oracle:oci:@tnsalias                                          | oracle.db  | null           | -1    | null
      jdbc:hsqldb:mem:testdb                                             | hsqldb     | null           | -1    | testdb
      jdbc:hsqldb:file:/data/testdb;shutdown=true                        | hsqldb     | null           | -1    | /data/testdb
      jdbc:hsqldb:hsql://hs.example.com/xdb                              | hsqldb     | hs.example.com | 9001  | xdb
      jdbc:hsqldb:hsqls://hs.example.com:9002/xdb;user=sa                | hsqldb     | hs.example.com | 9002  | xdb
      jdbc:derby:memory:testdb;create=true                               | derby      | null           | -1    | testdb
      jdbc:derby:/data/testdb;user=bob;password=x                        | derby      | null           | -1    | /data/testdb
      jdbc:derby://derby.example.com:1528/testdb;create=true             | derby      | derby.example.com | 1528 | testdb
      jdbc:derby://derby.example.com/testdb                              | derby      | derby.example.com | 1527 | testdb
      jdbc:db2://db2.example.com:50001/SAMPLE:currentSchema=X;user=bob;  | ibm.db2    | db2.example.com | 50001 | SAMPLE
      jdbc:db2://db2.example.com/SAMPLE                                  | ibm.db2    | db2.example.com | 50000 | SAMPLE
      jdbc:sqlite:/data/app.db                                           | sqlite     | null           | -1    | /data/app.db
      jdbc:sqlite::memory:                                               | sqlite     | null           | -1    | null
      jdbc:sqlite:file:app.db?mode=ro                                    | sqlite     | null           | -1    | app.db
      jdbc:p6spy:postgresql://db.example.com/orders                      | postgresql | db.example.com | 5432  | orders
      jdbc:otel:mysql://db.example.com/shop                              | mysql      | db.example.com | 3306  | shop
      jdbc:tc:postgresql:15:///orders                                    | postgresql | null           | -1    | null
      jdbc:clickhouse://ch.example.com:8123/events?user=bob              | other_sql  | ch.example.com | 8123  | events
      jdbc:vendor:whatever                                               | other_sql  | null           | -1    | null
      """)
  void readsTheUrl(String url, String system, String address, int port, String namespace) {
    assertEquals(new JdbcUrlInfo(system, address, port, namespace), JdbcUrlParser.parse(url));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      jdbc:postgresql://host:/db                  | postgresql | host | 5432 | db
      jdbc:postgresql://host:99999999999/db       | postgresql | host | -1   | db
      jdbc:postgresql://host:70000/db             | postgresql | host | -1   | db
      jdbc:postgresql://host:54x2/db              | postgresql | host | -1   | db
      jdbc:postgresql://host:0/db                 | postgresql | host | -1   | db
      jdbc:mysql://                               | mysql      | localhost | 3306 | null
      jdbc:mysql:                                 | mysql      | null | -1   | null
      jdbc:postgresql:                            | postgresql | null | -1   | null
      jdbc:oracle:thin:@(DESCRIPTION=(ADDRESS=(HOST=h)(PORT=15 | oracle.db | h | 15 | null
      jdbc:oracle:thin:@((((                      | oracle.db  | null | -1   | null
      jdbc:oracle:thin:@)))                       | oracle.db  | null | -1   | null
      jdbc:oracle:thin:@[::1                      | oracle.db  | null | -1   | null
      jdbc:oracle:thin:scott/tiger@               | oracle.db  | null | -1   | null
      jdbc:oracle:thin:scott/tiger                | oracle.db  | null | -1   | null
      jdbc:sqlserver://                           | microsoft.sql_server | null | -1 | null
      jdbc:sqlserver://h;=;;databaseName;x=       | microsoft.sql_server | h | 1433 | null
      jdbc:h2:                                    | h2database | null | -1   | null
      jdbc:h2:tcp://                              | h2database | null | -1   | null
      jdbc:                                       | other_sql  | null | -1   | null
      jdbc                                        | other_sql  | null | -1   | null
      garbage                                     | other_sql  | null | -1   | null
      postgresql://host/db                        | other_sql  | null | -1   | null
      """)
  void fallsBackOnMalformedUrls(String url, String system, String address, int port, String namespace) {
    assertEquals(new JdbcUrlInfo(system, address, port, namespace), JdbcUrlParser.parse(url));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", ":", "jdbc:mysql://[", "jdbc:mysql://address=(", "jdbc:postgresql://@",
      "jdbc:sqlserver://\\", "jdbc:oracle:thin:@//", "jdbc:oracle:thin:@h:", "jdbc:db2://", "jdbc:derby://",
      "jdbc:hsqldb:hsql://", "jdbc:p6spy:", "jdbc:tc:", "jdbc:p6spy:p6spy:p6spy:tc:otel:"})
  void oddInputStillGivesASystem(String url) {
    JdbcUrlInfo info = JdbcUrlParser.parse(url);
    assertNotNull(info.dbSystemName());
  }

  @Test
  void nullIsOtherSql() {
    assertEquals(new JdbcUrlInfo("other_sql", null, -1, null), JdbcUrlParser.parse(null));
  }

  @Test
  void hundredKilobyteUrlsAreHandled() {
    String hosts = "h1:5432,".repeat(100 * 1024 / 8);
    assertEquals(new JdbcUrlInfo("postgresql", "h1", 5432, "db"), JdbcUrlParser.parse("jdbc:postgresql://" + hosts + "h2/db"));
    String parens = "(".repeat(100 * 1024);
    assertEquals("oracle.db", JdbcUrlParser.parse("jdbc:oracle:thin:@" + parens).dbSystemName());
    String keys = "(HOST".repeat(20 * 1024);
    assertEquals("oracle.db", JdbcUrlParser.parse("jdbc:oracle:thin:@" + keys).dbSystemName());
    String props = ";user=bob".repeat(10 * 1024);
    assertEquals(new JdbcUrlInfo("microsoft.sql_server", "h", 1433, null), JdbcUrlParser.parse("jdbc:sqlserver://h" + props));
  }

  static Stream<String> urlsWithCredentials() {
    return Stream.of(
        "jdbc:postgresql://bobuser:pw_secret@db.example.com:5432/orders?password=pw_secret",
        "jdbc:postgresql://bobuser:pw_secret@/orders",
        "jdbc:mysql://bobuser:pw_secret@db.example.com/shop",
        "jdbc:mysql://bobuser:pw/secret@db.example.com/shop",
        "jdbc:mysql://bobuser:pw_secret@h1,bobuser:pw_secret@h2/shop",
        "jdbc:mysql://address=(host=h)(port=3307)(user=bobuser)(password=pw_secret)/shop",
        "jdbc:mysql://(user=bobuser,password=pw_secret,host=h)/shop",
        "jdbc:mariadb://bobuser:pw_secret@h1/shop?user=bobuser&password=pw_secret",
        "jdbc:h2:mem:test;USER=bobuser;PASSWORD=pw_secret",
        "jdbc:h2:tcp://bobuser:pw_secret@h/~/db",
        "jdbc:sqlserver://h;user=bobuser;password=pw_secret;databaseName=sales",
        "jdbc:sqlserver://h;password={pw;secret};user=bobuser",
        "jdbc:jtds:sqlserver://h/sales;user=bobuser;password=pw_secret",
        "jdbc:oracle:thin:bobuser/pw_secret@h:1521/svc",
        "jdbc:oracle:thin:bobuser/pw_secret@(DESCRIPTION=(ADDRESS=(HOST=h)(PORT=1521))(CONNECT_DATA=(SID=x)))",
        "jdbc:oracle:thin:bobuser/pw(secret@h:1521/svc",
        "jdbc:oracle:thin:bobuser/pw_secret@",
        "jdbc:oracle:thin:bobuser/pw_secret",
        "jdbc:derby:db;user=bobuser;password=pw_secret",
        "jdbc:hsqldb:hsql://h/db;user=bobuser;password=pw_secret",
        "jdbc:db2://h:50000/db:user=bobuser;password=pw_secret;",
        "jdbc:sqlite:app.db?user=bobuser&password=pw_secret",
        "jdbc:clickhouse://bobuser:pw_secret@h/db",
        "jdbc:p6spy:mysql://bobuser:pw_secret@h/shop");
  }

  @ParameterizedTest
  @MethodSource("urlsWithCredentials")
  void credentialsNeverAppear(String url) {
    JdbcUrlInfo info = JdbcUrlParser.parse(url);
    assertFalse(info.toString().contains("bobuser"), info.toString());
    assertFalse(info.toString().contains("secret"), info.toString());
  }

  @Test
  void randomUrlsNeverThrowOrLeak() {
    String[] parts = {"jdbc:", "postgresql:", "mysql:", "oracle:thin:", "sqlserver:", "h2:", "//", "/", ":", "@", "(",
        ")", "=", "host", "HOST=", "port=", "5432", ";", "?", ",", "[", "]", "\\", "bobuser", "pw_secret", "mem:", "tcp:"};
    Random random = new Random(11);
    for (int n = 0; n < 5000; n++) {
      StringBuilder url = new StringBuilder(random.nextBoolean() ? "jdbc:" : "");
      for (int k = random.nextInt(20); k >= 0; k--) {
        url.append(parts[random.nextInt(parts.length)]);
      }
      assertNotNull(JdbcUrlParser.parse(url.toString()).dbSystemName(), url.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
      PostgreSQL                       | postgresql
      MySQL                            | mysql
      MariaDB                          | mariadb
      H2                               | h2database
      HSQL Database Engine             | hsqldb
      Apache Derby                     | derby
      Oracle                           | oracle.db
      Microsoft SQL Server             | microsoft.sql_server
      DB2/LINUXX8664                   | ibm.db2
      DB2 UDB for AS/400               | ibm.db2
      SQLite                           | sqlite
      Teradata                         | other_sql
      null                             | other_sql
      """)
  void mapsDriverProductNames(String productName, String system) {
    assertEquals(system, JdbcUrlParser.dbSystemFromProductName(productName));
  }
}
