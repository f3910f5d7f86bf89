// Salesforce's own Node SDK (commerce-sdk) against the SFCC simulator: the simulator must answer the
// requests the SDK builds (paths, parameter names and values) with the shapes the SDK's models
// declare. Not part of the CI test command (a fresh CI machine has no Node); see README.md.
//
//   npm ci && node check.mjs http://127.0.0.1:8097
//
// Exit code 0: every check passed; 1: a mismatch (printed); 2: the simulator could not be reached.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Customers, Orders } from "commerce-sdk";

const base = (process.argv[2] || "http://127.0.0.1:8097").replace(/\/+$/, "");
// the simulator's public demo values (SfccSimulator, config/connections.yaml's sfcc-demo connection)
const CLIENT_ID = process.env.SFCC_CLIENT_ID || "a1b2c3d4-e5f6-4a5b-8c7d-0123456789ab";
const CLIENT_SECRET = process.env.SFCC_CLIENT_SECRET || "sim-client-secret";
const ORGANIZATION = process.env.SFCC_ORGANIZATION || "f_ecom_zzte_053";
const TENANT = process.env.SFCC_TENANT || "zzte_053";
const SITE = process.env.SFCC_SITE || "RefArch";
const CUSTOMER_LIST = process.env.SFCC_CUSTOMER_LIST || "RefArch";

const failures = [];
function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${detail ? ": " + detail : ""}`);
  if (!ok) failures.push(what);
}

// The SDK's own models: a field without "?" in dist/<api>/models/<Model>.d.ts is required.
const sdkDist = path.dirname(createRequire(import.meta.url).resolve("commerce-sdk"));
function requiredFields(api, model) {
  const text = readFileSync(path.join(sdkDist, api, "models", `${model}.d.ts`), "utf8");
  const body = text.slice(text.indexOf(`export type ${model} = {`));
  const fields = [];
  for (const line of body.slice(0, body.indexOf("}")).split("\n")) {
    const m = line.match(/^\s+([A-Za-z_][A-Za-z0-9_]*)(\??):/);
    if (m && m[2] !== "?") fields.push(m[1]);
  }
  return fields;
}
function enumValues(api, model) {
  const text = readFileSync(path.join(sdkDist, api, "models", `${model}.d.ts`), "utf8");
  const m = text.match(new RegExp(`export type ${model} = ([^;]+);`));
  return m ? [...m[1].matchAll(/'([^']+)'/g)].map((v) => v[1]) : [];
}
function hasRequired(what, object, api, model) {
  const missing = requiredFields(api, model).filter((f) => object == null || object[f] === undefined);
  check(`${what} has the fields ${model} requires`, missing.length === 0, missing.length ? "missing " + missing.join(", ") : "");
}

// Account Manager ("B2C Commerce API: Authorization for Admin APIs"): commerce-sdk has no helper for
// admin-API tokens (its helpers are SLAS, for shoppers), so the token is taken as Salesforce documents
// it: client credentials, HTTP Basic client authentication, the tenant scope.
let token;
try {
  const answer = await fetch(`${base}/dwsso/oauth2/access_token`, {
    method: "POST",
    headers: {
      Authorization: "Basic " + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64"),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      scope: `SALESFORCE_COMMERCE_API:${TENANT} sfcc.orders.rw sfcc.customerlists`,
    }),
  });
  const body = await answer.json();
  check("Account Manager token", answer.status === 200 && typeof body.access_token === "string",
    `HTTP ${answer.status}, token_type ${body.token_type}, expires_in ${body.expires_in}`);
  token = body.access_token;
} catch (unreachable) {
  console.error(`cannot reach ${base}: ${unreachable.message}`);
  process.exit(2);
}

// The admin API clients, pointed at the simulator: the SDK renders baseUri + its own path template.
const config = {
  headers: { authorization: `Bearer ${token}` },
  parameters: { organizationId: ORGANIZATION, siteId: SITE },
};
const orders = new Orders({ ...config, baseUri: `${base}/checkout/orders/v1` });
const customers = new Customers({ ...config, baseUri: `${base}/customer/customers/v1` });

async function call(what, promise) {
  try {
    return await promise;
  } catch (e) {
    const text = e.response ? await e.response.text() : "";
    check(what, false, `${e.message} ${text}`);
    return undefined;
  }
}

// 1. Order search (Orders.getOrders): export statuses as the SDK sends an array (comma-separated),
//    sortBy/sortOrder with the SDK's enum values
const exportStatuses = enumValues("orders", "OrderExportStatus");
const search = await call("Orders.getOrders", orders.getOrders({
  parameters: { exportStatus: ["ready", "exported", "failed"], sortBy: "creation_date", sortOrder: "asc", limit: 10 },
}));
if (search) {
  hasRequired("the order search result", search, "orders", "OrdersResponse");
  check("the search found orders", Array.isArray(search.data) && search.data.length > 0,
    `total ${search.total}, ${search.data?.length} on the page: ${search.data?.map((o) => o.orderNo + " " + o.exportStatus).join(", ")}`);
  check("every export status is one of the SDK's", (search.data || []).every((o) => exportStatuses.includes(o.exportStatus)),
    exportStatuses.join("|"));
  const created = (search.data || []).map((o) => o.creationDate);
  check("sortBy=creation_date&sortOrder=asc: oldest first", created.every((c, i) => i === 0 || created[i - 1] <= c));
}

// 2. One order (Orders.getOrder)
const first = search?.data?.[0];
if (first) {
  const order = await call("Orders.getOrder", orders.getOrder({ parameters: { orderNo: first.orderNo } }));
  if (order) {
    check("Orders.getOrder read the order searched for", order.orderNo === first.orderNo,
      `${order.orderNo}: ${order.currency} ${order.orderTotal}, ${order.productItems?.length} product item(s), `
        + `status ${order.status}/${order.paymentStatus}/${order.shippingStatus}, export ${order.exportStatus}, `
        + `customer ${order.customerInfo?.email}`);
    hasRequired("the order", order, "orders", "Order");
    for (const item of order.productItems || []) hasRequired(`product item ${item.itemId}`, item, "orders", "ProductItem");
    for (const shipment of order.shipments || []) hasRequired(`shipment ${shipment.shipmentId}`, shipment, "orders", "Shipment");
    check("status values are the SDK's",
      enumValues("orders", "OrderStatus").includes(order.status)
        && enumValues("orders", "OrderPaymentStatus").includes(order.paymentStatus)
        && enumValues("orders", "OrderShippingStatus").includes(order.shippingStatus),
      `${order.status}/${order.paymentStatus}/${order.shippingStatus}`);

    // 3. The export status (Orders.updateOrderExportStatus), set to what it already is: harmless
    const same = await call("Orders.updateOrderExportStatus", orders.updateOrderExportStatus({
      parameters: { orderNo: order.orderNo }, body: { status: order.exportStatus },
    }, true));
    if (same) check("Orders.updateOrderExportStatus accepted {status}", same.status === 204 || same.status === 200, `HTTP ${same.status}`);
  }
}

// 4. Changes since a date (lastModifiedDateFrom, sortBy=last_modified_date): what the connector's order-updates stream asks
const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
const changed = await call("Orders.getOrders by lastModifiedDateFrom", orders.getOrders({
  parameters: { lastModifiedDateFrom: since, sortBy: "last_modified_date", sortOrder: "asc", limit: 200 },
}));
if (changed) {
  const modified = (changed.data || []).map((o) => o.lastModified);
  check("lastModifiedDateFrom + sortBy=last_modified_date&sortOrder=asc",
    modified.every((m, i) => m >= since && (i === 0 || modified[i - 1] <= m)), `${modified.length} order(s) modified since ${since}`);
}

// 5. Customer search (Customers.searchCustomerInCustomerList): a range on lastModified as the SDK's Query can say it
const found = await call("Customers.searchCustomerInCustomerList", customers.searchCustomerInCustomerList({
  parameters: { customerListId: CUSTOMER_LIST },
  body: {
    query: { filteredQuery: { query: { matchAllQuery: {} },
      filter: { rangeFilter: { field: "lastModified", from: "2000-01-01T00:00:00.000Z", fromInclusive: true } } } },
    sorts: [{ field: "lastModified", sortOrder: "asc" }],
    offset: 0,
    limit: 10,
  },
}));
if (found) {
  hasRequired("the customer search result", found, "customers", "CustomerSearchResult");
  for (const hit of found.hits || []) {
    hasRequired(`customer hit ${hit.data?.customerNo}`, hit, "customers", "CustomerSearchHit");
    hasRequired(`customer ${hit.data?.customerNo}`, hit.data, "customers", "Customer");
  }
  check("the customer search found customers", (found.hits || []).length > 0,
    `total ${found.total}: ${(found.hits || []).map((h) => h.data?.customerNo + " " + h.data?.email).join(", ")}`);
}

console.log(failures.length ? `\n${failures.length} check(s) failed: ${failures.join("; ")}` : "\nall checks passed");
process.exit(failures.length ? 1 : 0);
