import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { expectTables } from "@/lib/schema/fixtures/expect-model";
import { parseDdl } from "@/lib/schema/server/parse-ddl-any";
import { parseMysqlDdl } from "@/lib/schema/server/parse-ddl-mysql";

const FIXTURE = readFileSync(path.join(import.meta.dirname, "../fixtures/shop-mysql.sql"), "utf8");

async function rejection(input: string | Uint8Array): Promise<ValidationError> {
  const error = await parseDdl(input, "mysql").then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe("parseMysqlDdl", () => {
  it("reads every table, column, key and foreign key of the shop schema", async () => {
    const { model, warnings } = await parseDdl(FIXTURE, "mysql");
    expect(model.dialect).toBe("mysql");
    // [name, type, originalType, nullable, primaryKey, unique, defaultValue, extra]
    expectTables(model, {
      "categories": {
        description: "Product category tree",
        primaryKey: ["category_id"],
        foreignKeys: [[["parent_id"],"categories",["category_id"]]],
        columns: [
          ["category_id","UINTEGER","int unsigned",false,true,false,null], // integer id
          ["parent_id","UINTEGER","int unsigned",true,false,false,null, {"description":"NULL for top-level categories"}], // integer id
          ["name","VARCHAR(100)","varchar(100)",false,false,false,null], // text name
          ["slug","VARCHAR(120)","varchar(120)",false,false,true,null], // text text
        ],
      },
      "suppliers": {
        primaryKey: ["supplier_id"],
        columns: [
          ["supplier_id","INTEGER","int",false,true,false,null], // integer id
          ["company_name","VARCHAR(150)","varchar(150)",false,false,false,null], // text name
          ["country","VARCHAR(2)","char(2)",false,false,false,"'DE'"], // text country
          ["rating","UTINYINT","tinyint unsigned",true,false,false,null, {"checks":["`rating` between 1 and 5"]}], // integer number
        ],
      },
      "products": {
        primaryKey: ["product_id"],
        foreignKeys: [[["category_id"],"categories",["category_id"]],[["supplier_id"],"suppliers",["supplier_id"]]],
        columns: [
          ["product_id","UBIGINT","bigint unsigned",false,true,false,null], // integer id
          ["sku","VARCHAR(32)","varchar(32)",false,false,true,null], // text code
          ["name","VARCHAR(200)","varchar(200)",false,false,false,null], // text name
          ["description","VARCHAR","mediumtext",true,false,false,null], // text text
          ["category_id","UINTEGER","int unsigned",false,false,false,null], // integer id
          ["supplier_id","INTEGER","int",true,false,false,null], // integer id
          ["price","DECIMAL(10,2)","decimal(10,2)",false,false,false,null, {"checks":["`price` >= 0"]}], // decimal money
          ["weight_kg","DOUBLE","double",true,false,false,null], // float number
          ["is_active","BOOLEAN","tinyint(1)",false,false,false,"'1'"], // boolean boolean
          ["created_at","TIMESTAMP","datetime",false,false,false,"CURRENT_TIMESTAMP"], // timestamp timestamp
        ],
      },
      "customers": {
        description: "People who can place orders; don't store cards here",
        primaryKey: ["customer_id"],
        columns: [
          ["customer_id","INTEGER","int",false,true,false,null], // integer id
          ["email","VARCHAR(255)","varchar(255)",false,false,true,null], // text email
          ["first_name","VARCHAR(60)","varchar(60)",false,false,false,null], // text name
          ["last_name","VARCHAR(60)","varchar(60)",false,false,false,null], // text name
          ["tier","VARCHAR","enum('bronze','silver','gold','platinum')",false,false,false,"'bronze'", {"enumValues":["bronze","silver","gold","platinum"],"description":"Loyalty tier"}], // enum category
          ["birth_year","SMALLINT","year",true,false,false,null], // integer number
          ["marketing_opt_in","BOOLEAN","bit(1)",false,false,false,"b'0'"], // boolean boolean
        ],
      },
      "addresses": {
        primaryKey: ["customer_id","address_no"],
        foreignKeys: [[["customer_id"],"customers",["customer_id"]]],
        columns: [
          ["customer_id","INTEGER","int",false,true,false,null], // integer id
          ["address_no","SMALLINT","smallint",false,true,false,null], // integer id
          ["street","VARCHAR(200)","varchar(200)",false,false,false,null], // text text
          ["city","VARCHAR(100)","varchar(100)",false,false,false,null], // text city
          ["postal_code","VARCHAR(12)","varchar(12)",true,false,false,null], // text code
          ["kind","VARCHAR","set('billing','shipping')",false,false,false,"'shipping'"], // other category
        ],
      },
      "orders": {
        primaryKey: ["order_id"],
        foreignKeys: [[["customer_id"],"customers",["customer_id"]],[["customer_id","ship_address_no"],"addresses",["customer_id","address_no"]]],
        columns: [
          ["order_id","UBIGINT","bigint unsigned",false,true,false,null], // integer id
          ["customer_id","INTEGER","int",false,false,false,null], // integer id
          ["ship_address_no","SMALLINT","smallint",true,false,false,null], // integer id
          ["status","VARCHAR","enum('pending','paid','shipped','delivered','cancelled')",false,false,false,"'pending'", {"enumValues":["pending","paid","shipped","delivered","cancelled"]}], // enum category
          ["ordered_at","TIMESTAMP","timestamp",false,false,false,"CURRENT_TIMESTAMP"], // timestamp timestamp
          ["note","VARCHAR","text",true,false,false,null, {"description":"Free text from the customer, e.g. \"leave at the door\""}], // text text
        ],
      },
      "order_items": {
        primaryKey: ["order_id","line_no"],
        foreignKeys: [[["order_id"],"orders",["order_id"]],[["product_id"],"products",["product_id"]]],
        columns: [
          ["order_id","UBIGINT","bigint unsigned",false,true,false,null], // integer id
          ["line_no","USMALLINT","smallint unsigned",false,true,false,null], // integer id
          ["product_id","UBIGINT","bigint unsigned",false,false,false,null], // integer id
          ["quantity","INTEGER","int",false,false,false,"'1'", {"checks":["quantity > 0 and quantity <= 1000"]}], // integer number
          ["unit_price","DECIMAL(10,2)","decimal(10,2)",false,false,false,null], // decimal money
          ["discount_pct","FLOAT","float",true,false,false,"'0'"], // float money
        ],
      },
      "payments": {
        primaryKey: ["payment_id"],
        foreignKeys: [[["order_id"],"orders",["order_id"]]],
        columns: [
          ["payment_id","VARCHAR(36)","char(36)",false,true,false,null], // text id
          ["order_id","UBIGINT","bigint unsigned",false,false,false,null], // integer id
          ["method","VARCHAR","enum('card','paypal','invoice')",false,false,false,null, {"enumValues":["card","paypal","invoice"]}], // enum category
          ["amount","DECIMAL(12,2)","decimal(12,2)",false,false,false,null], // decimal money
          ["paid_at","TIMESTAMP","datetime",true,false,false,null], // timestamp timestamp
          ["provider_payload","VARCHAR","json",true,false,false,null], // json text
        ],
      },
      "warehouses": {
        primaryKey: ["warehouse_code"],
        columns: [
          ["warehouse_code","VARCHAR(4)","char(4)",false,true,false,null], // text code
          ["city","VARCHAR(100)","varchar(100)",false,false,false,null], // text city
          ["capacity_m3","UINTEGER","mediumint unsigned",true,false,false,null], // integer number
        ],
      },
      "inventory": {
        primaryKey: ["warehouse_code","product_id"],
        foreignKeys: [[["warehouse_code"],"warehouses",["warehouse_code"]],[["product_id"],"products",["product_id"]]],
        columns: [
          ["warehouse_code","VARCHAR(4)","char(4)",false,true,false,null], // text code
          ["product_id","UBIGINT","bigint unsigned",false,true,false,null], // integer id
          ["on_hand","INTEGER","int",false,false,false,"'0'"], // integer number
          ["reorder_level","INTEGER","int",true,false,false,null], // integer number
          ["updated_at","TIMESTAMP","datetime(3)",true,false,false,null], // timestamp timestamp
        ],
      },
      "reviews": {
        primaryKey: ["review_id"],
        uniqueKeys: [["product_id","customer_id"]],
        foreignKeys: [[["product_id"],"products",["product_id"]],[["customer_id"],"customers",["customer_id"]]],
        columns: [
          ["review_id","INTEGER","int",false,true,false,null], // integer id
          ["product_id","UBIGINT","bigint unsigned",false,false,false,null], // integer id
          ["customer_id","INTEGER","int",false,false,false,null], // integer id
          ["stars","TINYINT","tinyint",false,false,false,null, {"checks":["`stars` in (1,2,3,4,5)"],"allowedValues":["1","2","3","4","5"]}], // integer number
          ["body","VARCHAR","longtext",true,false,false,null], // text text
          ["photo","BLOB","blob",true,false,false,null], // binary other
        ],
      },
    });
    expect(warnings).toEqual([
      { message: "3 SET, USE, LOCK and DROP … IF EXISTS statements were skipped (first at line 4): they do not change the tables.", line: 4 },
      { message: "4 index definitions were ignored (KEY/INDEX, lines 8, 68, 122, 139): indexes do not change the model.", line: 8 },
      { message: expect.stringMatching(/^Statement at line 141 \(CREATE TRIGGER\) was skipped/), line: 141 },
      { message: expect.stringMatching(/^Statement at line 142 \(INSERT\) was skipped/), line: 142 },
      { message: "Column reviews.photo has type blob: the sandbox leaves it NULL.", line: 122 },
    ]);
    const customers = model.tables.find((t) => t.name === "customers")!;
    expect(customers.columns.find((c) => c.name === "tier")).toMatchObject({ canonicalType: "enum", semanticType: "category" });
    expect(customers.columns.find((c) => c.name === "marketing_opt_in")).toMatchObject({ canonicalType: "boolean", semanticType: "boolean" });
  });

  it("is what parseDdl picks for mysqldump output when the dialect is auto", async () => {
    expect((await parseDdl(FIXTURE, "auto")).model.dialect).toBe("mysql");
  });

  it("skips a statement the parser cannot read with a warning naming its line; the rest imports", async () => {
    const { model, warnings } = await parseMysqlDdl("CREATE TABLE `a` (`id` int PRIMARY KEY);\n\nCREATE TABLE `b` (`id` int,, `x` int);\nCREATE TABLE `c` (`id` int PRIMARY KEY, `note` varchar(20) DEFAULT 'it\\'s; fine', `a_id` int, FOREIGN KEY (`a_id`) REFERENCES `A` (`id`));");
    expect(model.tables.map((t) => t.name)).toEqual(["a", "c"]);
    expect(warnings).toEqual([{ message: expect.stringMatching(/^Statement at line 3 was skipped: it could not be parsed as MySQL/), line: 3 }]);
    const c = model.tables[1]!;
    expect(c.columns.find((x) => x.name === "note")!.defaultValue).toBe("'it\\'s; fine'");
    // MySQL table names compare case-insensitively; the key points at the table as declared.
    expect(c.foreignKeys[0]).toMatchObject({ refTable: "a", refColumns: ["id"] });
  });

  it("refuses bad input with a clear message", async () => {
    expect((await rejection(Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))).message).toMatch(/not UTF-8 text|binary file/);
    const started = Date.now();
    expect((await rejection("x".repeat(50 * 1024 * 1024))).message).toMatch(/^The DDL is 50\.0 MB; the limit is 5 MB/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await rejection(Buffer.from("CREATE TABLE `t` (`name` varchar(10) DEFAULT 'M\xfcller');", "latin1"))).message).toMatch(/^The DDL is not UTF-8 text/);
    expect((await rejection("SET NAMES utf8mb4;\nCREATE INDEX ix ON t (a);")).message).toMatch(/^The schema has no tables/);
    const duplicate = await rejection("CREATE TABLE `Orders` (`id` int);\nCREATE TABLE `x` (`id` int);\nCREATE TABLE `orders` (`id` int);");
    expect(duplicate.message).toBe("Table orders is created twice (lines 1 and 3): keep one CREATE TABLE orders and remove the other.");
  });
});
