"""Drives `discountctl mcp` over stdio with the official MCP Python client
against a real discountd on a temporary socket (scripts/mcp-test runs it).

For the tools with a documented API it checks each answer field by field:
the exact key set, each value's JSON type and the literal strings and
formats (get_my_discount_code, create_discount_code, get_discount_code,
list_voucher_pools, get_voucher_pool, list_voucher_codes), successes and
failures alike. It also checks the tool list (schemas, annotations), the
bridge's own argument checks, and that the token reaches the daemon.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN = os.environ["DISCOUNTD_BIN_DIR"]
DOCUMENTED_TOOLS = [
    "get_my_discount_code", "create_discount_code", "get_discount_code",
    "list_voucher_pools", "get_voucher_pool", "list_voucher_codes",
]
AGENT_CODE_KEYS = [
    "discount_code", "discount_percent", "campaign_name", "campaign_id", "expires_at", "is_active",
    "shopify_sync_status", "shopify_discount_id", "shopify_sync_error",
]
CREATED_CODE_KEYS = ["id", "price_rule_id", "code", "created_at", "updated_at", "use_with_other", "usage_count"]
ISO_WITH_OFFSET = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00"
ISO_WITH_Z = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
SPACED = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
NOT_REGISTERED = {"error": "Agent not registered. Call register_agent first.", "hint": "Use register_agent to get an agent_id."}


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def keys(value, expected, what):
    """The object's keys, in order, are exactly `expected`."""
    check(isinstance(value, dict), f"{what}: an object: {value!r}")
    check(list(value) == list(expected), f"{what}: keys {list(value)}, expected {list(expected)}")


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def discountctl(*args):
    done = subprocess.run([f"{BIN}/discountctl", *args], capture_output=True, text=True, timeout=30)
    check(done.returncode == 0, f"discountctl {args}: {done.returncode} {done.stderr}")
    return json.loads(done.stdout)


class Session:
    """One MCP session; call() returns (is_error, parsed JSON text)."""

    def __init__(self, session):
        self.session = session

    async def call(self, name, /, **arguments):
        result = await self.session.call_tool(name, arguments)
        check(len(result.content) == 1 and result.content[0].type == "text", f"{name}: one text content: {result}")
        return bool(result.isError), json.loads(result.content[0].text)

    async def ok(self, name, /, **arguments):
        is_error, body = await self.call(name, **arguments)
        check(not is_error, f"{name}({arguments}) failed: {body}")
        return body

    async def fails(self, name, /, **arguments):
        is_error, body = await self.call(name, **arguments)
        check(is_error, f"{name}({arguments}) should fail: {body}")
        return body


async def with_session(socket, body, token=None):
    args = ["mcp", "--socket", socket] + (["--token", token] if token else [])
    params = StdioServerParameters(command=f"{BIN}/discountctl", args=args, env=dict(os.environ))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            info = await session.initialize()
            check(info.serverInfo.name == "discountd", f"server name: {info.serverInfo}")
            return await body(Session(session), session)


async def tool_list(raw):
    listed = {tool.name: tool for tool in (await raw.list_tools()).tools}
    for name in DOCUMENTED_TOOLS + ["register_agent", "get_active_campaigns"]:
        check(name in listed, f"tool {name} listed: {list(listed)}")
    for tool in listed.values():
        check(tool.description, f"{tool.name} has a description")
        check(tool.inputSchema.get("type") == "object", f"{tool.name} schema: {tool.inputSchema}")

    mine = listed["get_my_discount_code"]
    schema = mine.inputSchema
    check(schema["required"] == ["agent_id"], f"get_my_discount_code requires agent_id: {schema}")
    check(schema["properties"]["agent_id"]["type"] == "string", f"agent_id is a string: {schema}")
    check(schema["properties"]["campaign_id"]["type"] == ["integer", "null"], f"campaign_id: integer or null: {schema}")
    check(sorted(schema["properties"]) == ["agent_id", "campaign_id"], f"the documented parameters only: {schema}")
    notes = mine.annotations
    check(notes.readOnlyHint is False and notes.idempotentHint is True and notes.destructiveHint is False,
          f"get_my_discount_code is an idempotent write: {notes}")
    check(notes.openWorldHint is True, f"it reaches Shopify: {notes}")

    create = listed["create_discount_code"].inputSchema
    check(create["required"] == ["price_rule_id", "discount_code"], f"create_discount_code: {create}")
    nested = create["properties"]["discount_code"]
    check(nested["type"] == "object" and nested["required"] == ["code"], f"discount_code object: {nested}")
    check(sorted(nested["properties"]) == ["code", "usage_limit", "use_with_other"], f"{nested}")
    check(nested["properties"]["use_with_other"]["type"] == "integer"
          and nested["properties"]["use_with_other"]["enum"] == [0, 1], f"use_with_other 1/0: {nested}")
    check(listed["create_discount_code"].annotations.readOnlyHint is False, "create_discount_code writes")
    for name in ["get_discount_code", "list_voucher_pools", "get_voucher_pool", "list_voucher_codes"]:
        check(listed[name].annotations.readOnlyHint is True, f"{name} reads: {listed[name].annotations}")
    print(f"mcp-test: {len(listed)} tools listed; schemas and annotations as documented")


async def commission(s):
    """get_my_discount_code: arguments, the nine keys, formats, errors, the AGENT part."""
    dated = (await s.ok("create_campaign", name="Spring Sale", discount_percent=10, commission_percent=5,
                        ends_at="2030-03-31T23:59:59.750Z"))["campaign"]
    open_ended = (await s.ok("create_campaign", name="Holiday Promo", discount_percent=15.5, commission_percent=5))["campaign"]
    agent = await s.ok("register_agent", agent_name="Coffee Bot", contact="bot@example.com")
    check(agent["created"] is True and is_int(agent["agent_id"]), f"register_agent: {agent}")
    again = await s.ok("register_agent", agent_name="Coffee Bot")
    check(again["agent_id"] == agent["agent_id"] and again["created"] is False, f"same agent again: {again}")
    active = await s.ok("get_active_campaigns")
    check([c["campaign_id"] for c in active["campaigns"]] == [dated["campaign_id"], open_ended["campaign_id"]], f"{active}")

    agent_id = str(agent["agent_id"])
    mine = await s.ok("get_my_discount_code", agent_id=agent_id, campaign_id=dated["campaign_id"])
    keys(mine, ["discount_codes"], "get_my_discount_code")
    check(len(mine["discount_codes"]) == 1, f"one campaign, one code: {mine}")
    code = mine["discount_codes"][0]
    keys(code, AGENT_CODE_KEYS, "a code object")
    check(re.fullmatch(r"CC-COFF-[A-Z0-9]{4}", code["discount_code"]), f"CC-{{AGENT}}-{{RANDOM}}: {code}")
    check(isinstance(code["discount_percent"], float) and code["discount_percent"] == 10.0, f"a float: {code}")
    check(code["campaign_name"] == "Spring Sale", f"{code}")
    check(is_int(code["campaign_id"]) and code["campaign_id"] == dated["campaign_id"], f"{code}")
    check(code["expires_at"] == "2030-03-31T23:59:59+00:00", f"ISO 8601 with an offset, whole seconds: {code}")
    check(datetime.fromisoformat(code["expires_at"]) == datetime(2030, 3, 31, 23, 59, 59, tzinfo=timezone.utc), f"{code}")
    check(code["is_active"] is True, f"{code}")
    check(code["shopify_sync_status"] == "skipped_no_credentials", f"no Shopify credentials: {code}")
    check(code["shopify_discount_id"] is None, f"explicit null: {code}")
    check(code["shopify_sync_error"] == "missing_shopify_credentials", f"{code}")

    # agent_id as a JSON integer, campaign_id null or left out: every active campaign, the same code again.
    for arguments in [{"agent_id": agent["agent_id"]}, {"agent_id": agent_id, "campaign_id": None}]:
        every = await s.ok("get_my_discount_code", **arguments)
        keys(every, ["discount_codes"], "every campaign")
        codes = every["discount_codes"]
        check([c["campaign_id"] for c in codes] == [dated["campaign_id"], open_ended["campaign_id"]], f"{every}")
        check(codes[0] == code, f"get-or-create gives the same code: {codes[0]} vs {code}")
        for each in codes:
            keys(each, AGENT_CODE_KEYS, "a code object")
        check(codes[1]["expires_at"] is None and codes[1]["discount_percent"] == 15.5, f"open-ended: {codes[1]}")
    print(f"mcp-test: get_my_discount_code -> {code['discount_code']}, expires {code['expires_at']}")

    # Errors: the documented bodies, whatever form the unknown id takes.
    bodies = []
    for unknown in [999, "999", "abc", "", "-1", "5.5", 5.5, 1e20]:
        body = await s.fails("get_my_discount_code", agent_id=unknown)
        for key, value in NOT_REGISTERED.items():
            check(body.get(key) == value, f"agent_id {unknown!r}: {key} verbatim: {body}")
        check(body["reason"] == "AGENT_NOT_REGISTERED" and body["field"] == "agent_id", f"{body}")
        bodies.append(body)
    check(all(body == bodies[0] for body in bodies), f"the daemon's and the bridge's answers agree: {bodies}")
    missing = await s.fails("get_my_discount_code", agent_id=agent_id, campaign_id=99)
    check(missing["error"] == "Campaign 99 not found.", f"documented campaign error: {missing}")
    wrong = await s.fails("get_my_discount_code", agent_id=agent_id, campaign_id="5")
    check(wrong["field"] == "campaign_id" and "integer" in wrong["error"], f"campaign_id must be an integer: {wrong}")
    not_an_id = await s.fails("get_my_discount_code", agent_id=True)
    check(not_an_id["field"] == "agent_id" and "string" in not_an_id["error"], f"agent_id must be a string: {not_an_id}")
    print("mcp-test: get_my_discount_code errors as documented")

    # The AGENT part: the first 4 ASCII letters or digits, upper-cased; fewer if
    # the name has fewer; AGNT when it has none; letters outside ASCII are skipped.
    for name, part in [("Jo", "JO"), ("Zoë Ωmega 7", "ZOME"), ("ßeta", "SSET"), ("李小龙", "AGNT"), ("r2-d2 unit", "R2D2")]:
        other = await s.ok("register_agent", agent_name=name)
        got = (await s.ok("get_my_discount_code", agent_id=other["agent_id"], campaign_id=dated["campaign_id"]))
        check(re.fullmatch(rf"CC-{part}-[A-Z0-9]{{4}}", got["discount_codes"][0]["discount_code"]), f"{name!r}: {got}")
    print("mcp-test: the AGENT part for short and non-ASCII names")

    # Strings are written as JSON strings whatever they hold.
    odd = (await s.ok("create_campaign", name='Café "Noël" \\ 50% off', discount_percent=12.25, commission_percent=1))["campaign"]
    odd_code = (await s.ok("get_my_discount_code", agent_id=agent_id, campaign_id=odd["campaign_id"]))["discount_codes"][0]
    check(odd_code["campaign_name"] == 'Café "Noël" \\ 50% off' and odd_code["discount_percent"] == 12.25, f"{odd_code}")
    await s.ok("end_campaign", campaign_id=odd["campaign_id"])
    return agent_id


async def no_campaigns(socket):
    """A project without campaigns: an empty list and the documented message."""
    project = discountctl("create-project", "--name", "empty-shop", "--socket", socket)["project"]
    token = discountctl("create-token", "--project-id", project["id"], "--scope", "commission", "--scope", "read_campaigns", "--scope", "write_campaigns",
                        "--name", "mcp-empty", "--socket", socket)["token"]

    async def body(s, raw):
        agent = await s.ok("register_agent", agent_name="Lonely")
        empty = await s.ok("get_my_discount_code", agent_id=str(agent["agent_id"]))
        check(empty == {"discount_codes": [], "message": "No active campaigns with customer discounts at this time."}, f"{empty}")
        print("mcp-test: no active campaigns -> the documented message")

    await with_session(socket, body, token=token)


async def price_rules(s):
    """create_discount_code and get_discount_code in their documented shapes."""
    rule = (await s.ok("create_price_rule", title="Summer", value_type="percentage", value=20))["price_rule"]
    created = await s.ok("create_discount_code", price_rule_id=rule["id"],
                         discount_code={"code": "SUMMER20", "use_with_other": 1, "usage_limit": 100})
    keys(created, ["code", "message", "data"], "create_discount_code")
    check(created["code"] == "200" and created["message"] == "Success", f"the success envelope: {created}")
    keys(created["data"], ["discount_codes"], "data")
    check(len(created["data"]["discount_codes"]) == 1, f"{created}")
    code = created["data"]["discount_codes"][0]
    keys(code, CREATED_CODE_KEYS, "a created code")
    check(isinstance(code["id"], str) and code["price_rule_id"] == rule["id"] and code["code"] == "SUMMER20", f"{code}")
    check(re.fullmatch(ISO_WITH_Z, code["created_at"]) and code["updated_at"] == code["created_at"], f"{code}")
    check(abs(datetime.strptime(code["created_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()
              - time.time()) < 120, f"created just now: {code}")
    check(code["use_with_other"] == 1 and is_int(code["use_with_other"]), f"1 = yes: {code}")
    check(code["usage_count"] == 0 and is_int(code["usage_count"]), f"{code}")
    print(f"mcp-test: create_discount_code -> {created['code']} {created['message']} {code['code']}")

    # use_with_other: 0 by default, true and false taken as 1 and 0.
    for code_text, flag, expected in [("PLAIN", None, 0), ("COMBINE", True, 1), ("ALONE", False, 0), ("ZERO", 0, 0)]:
        nested = {"code": code_text} | ({} if flag is None else {"use_with_other": flag})
        made = await s.ok("create_discount_code", price_rule_id=rule["id"], discount_code=nested)
        check(made["data"]["discount_codes"][0]["use_with_other"] == expected, f"{nested}: {made}")

    # Failures: {"code": <string>, "message": …} with the daemon's reason and hint beside.
    taken = await s.fails("create_discount_code", price_rule_id=rule["id"], discount_code={"code": "summer20"})
    check(list(taken)[:2] == ["code", "message"], f"code and message first: {taken}")
    check(taken["code"] == "AlreadyExists" and taken["reason"] == "CODE_TAKEN", f"a taken code: {taken}")
    check("summer20" in taken["message"].lower() and taken["hint"], f"names the code, keeps the hint: {taken}")
    no_rule = await s.fails("create_discount_code", price_rule_id="no-such-rule", discount_code={"code": "X1"})
    check(no_rule["code"] == "NotFound" and isinstance(no_rule["message"], str), f"a missing rule: {no_rule}")
    for arguments, field in [
        ({"discount_code": {"use_with_other": 1}}, "discount_code.code"),
        ({"discount_code": {"code": "BAD1", "use_with_other": 2}}, "discount_code.use_with_other"),
        ({"discount_code": {"code": "BAD2", "usage_limit": 0}}, "discount_code.usage_limit"),
        ({"discount_code": {"code": "BAD3", "usage_limit": 2**31}}, "discount_code.usage_limit"),
        ({"discount_code": {"code": "BAD4", "colour": "red"}}, "discount_code.colour"),
        ({"discount_code": "SUMMER21"}, "discount_code"),
        ({"code": "FLAT"}, "code"),
        ({}, "discount_code"),
    ]:
        bad = await s.fails("create_discount_code", price_rule_id=rule["id"], **arguments)
        check(bad["code"] == "InvalidParameter" and isinstance(bad["message"], str) and bad["message"], f"{arguments}: {bad}")
        check(bad["field"] == field, f"{arguments}: names {field}: {bad}")
    blank = await s.fails("create_discount_code", price_rule_id=rule["id"], discount_code={"code": "   "})
    check(blank["code"] == "InvalidParameter" and blank["field"] == "discount_code.code", f"the daemon's own check: {blank}")
    print(f"mcp-test: create_discount_code failures -> {taken['code']}, {no_rule['code']}, InvalidParameter")

    # get_discount_code: strings for use_with_other and usage_count, spaced times.
    got = await s.ok("get_discount_code", price_rule_id=rule["id"], discount_code_id=code["id"])
    keys(got, ["discount_code"], "get_discount_code")
    detail = got["discount_code"]
    keys(detail, CREATED_CODE_KEYS, "the code's details")
    check(detail["id"] == code["id"] and detail["price_rule_id"] == rule["id"] and detail["code"] == "SUMMER20", f"{detail}")
    check(detail["use_with_other"] == "1" and detail["usage_count"] == "0", f"strings: {detail}")
    check(re.fullmatch(SPACED, detail["created_at"]) and re.fullmatch(SPACED, detail["updated_at"]), f"{detail}")
    check(detail["created_at"] == code["created_at"].replace("T", " ").rstrip("Z"), f"the same instant: {detail} {code}")
    await s.ok("redeem_discount_code", code="summer20", order_id="order-1")
    used = (await s.ok("get_discount_code", price_rule_id=rule["id"], discount_code_id=code["id"]))["discount_code"]
    check(used["usage_count"] == "1", f"one use: {used}")
    alone = (await s.ok("lookup_discount_code", code="ALONE"))
    alone_id = alone["discount_code"]["id"]
    plain = (await s.ok("get_discount_code", price_rule_id=rule["id"], discount_code_id=alone_id))["discount_code"]
    check(plain["use_with_other"] == "0", f"0 = no: {plain}")

    not_found = await s.fails("get_discount_code", price_rule_id=rule["id"], discount_code_id="nope")
    check(not_found["error"] == "Not Found", f"the documented error string: {not_found}")
    check(isinstance(not_found["errors"], list) and len(not_found["errors"]) == 1 and "nope" in not_found["errors"][0],
          f"the errors array names the id: {not_found}")
    bad_request = await s.fails("get_discount_code", price_rule_id=rule["id"])
    check(bad_request["error"] == "Bad Request" and bad_request["field"] == "discount_code_id", f"{bad_request}")
    print(f"mcp-test: get_discount_code -> use_with_other {detail['use_with_other']!r}, created_at {detail['created_at']!r}; "
          f"unknown -> {not_found['error']!r}")


async def vouchers(s):
    """The voucher tools' envelope: success, data, error always; paging keys always."""
    projects = await s.ok("list_projects")
    project_id = projects["projects"][0]["id"]
    pool = (await s.ok("create_voucher_pool", name="Newsletter"))["pool"]
    added = await s.ok("add_voucher_codes", pool_id=pool["id"], codes=["V-1", "V-2", "V-3", "v-1"])
    check(added["added"] == 3 and added["duplicates"] == 1, f"add_voucher_codes: {added}")
    before = time.time()
    assigned = await s.ok("assign_voucher_code", pool_id=pool["id"], customer_id="ann", used_by="mail")
    await s.ok("redeem_voucher_code", code=assigned["code"])
    await s.ok("assign_voucher_code", pool_id=pool["id"], customer_id="bob")
    after = time.time()

    # project_id left out means the token's project: the same answer as the project's own id.
    for arguments in [{}, {"project_id": project_id}]:
        pools = await s.ok("list_voucher_pools", **arguments)
        keys(pools, ["success", "data", "error"], "list_voucher_pools")
        check(pools["success"] is True and pools["error"] is None and isinstance(pools["data"], list), f"{pools}")
        keys(pools["data"][0], ["id", "name", "total", "available"], "a pool summary")
        check(pools["data"][0] == {"id": pool["id"], "name": "Newsletter", "total": 3, "available": 1}, f"{pools}")

    got = await s.ok("get_voucher_pool", project_id=project_id, pool_id=pool["id"])
    keys(got, ["success", "data", "error"], "get_voucher_pool")
    keys(got["data"], ["id", "name", "total", "available", "company_id", "used_by", "assigned", "redeemed"], "a pool")
    check(got["success"] is True and got["error"] is None, f"{got}")
    check(got["data"]["company_id"] == project_id and got["data"]["used_by"] == ["mail"], f"{got}")

    page = await s.ok("list_voucher_codes", pool_id=pool["id"])
    keys(page, ["success", "data", "matched", "matched_limited", "skip", "limit", "error"], "list_voucher_codes")
    check(page["success"] is True and page["error"] is None, f"{page}")
    check(page["matched"] == 3 and page["matched_limited"] is False and page["skip"] == 0 and page["limit"] == 20, f"{page}")
    by_code = {c["code"]: c for c in page["data"]}
    for each in page["data"]:
        keys(each, ["code", "status", "assigned_time", "redeemed_time", "customer_id", "used_by"], "a voucher code")
    redeemed, held, free = by_code["V-1"], by_code["V-2"], by_code["V-3"]
    check(redeemed["status"] == "redeemed" and held["status"] == "assigned" and free["status"] == "available", f"{page}")
    for code, times in [(redeemed, ["assigned_time", "redeemed_time"]), (held, ["assigned_time"])]:
        for key in times:
            check(isinstance(code[key], float) and before - 1 <= code[key] <= after + 1, f"{key}: a float Unix time: {code}")
    check(redeemed["assigned_time"] <= redeemed["redeemed_time"], f"{redeemed}")
    check(held["redeemed_time"] is None, f"not redeemed: {held}")
    check(free == {"code": "V-3", "status": "available", "assigned_time": None, "redeemed_time": None,
                   "customer_id": None, "used_by": None}, f"explicit nulls: {free}")
    check(redeemed["customer_id"] == "ann" and redeemed["used_by"] == "mail", f"{redeemed}")
    narrow = await s.ok("list_voucher_codes", pool_id=pool["id"], skip=1, count=1, status="assigned")
    check((narrow["matched"], narrow["skip"], narrow["limit"], len(narrow["data"])) == (1, 1, 1, 0), f"paging: {narrow}")
    print(f"mcp-test: list_voucher_codes -> {[(c['code'], c['status']) for c in page['data']]}, times as floats")

    # Failures: the same envelope, nulls where nothing was found, paging keys kept.
    for count in [5000, 0]:
        too_many = await s.fails("list_voucher_codes", pool_id=pool["id"], count=count)
        keys(too_many, ["success", "data", "matched", "matched_limited", "skip", "limit", "error", "code", "reason", "field"],
             "a failed page")
        check(too_many["success"] is False and too_many["data"] is None, f"{too_many}")
        check(too_many["matched"] is None and too_many["matched_limited"] is None, f"{too_many}")
        check(too_many["skip"] == 0 and too_many["limit"] == 0, f"{too_many}")
        check(too_many["error"] == f"count must be between 1 and 1000 (got {count})" and too_many["field"] == "count",
              f"a clear error: {too_many}")
    for name, arguments in [("get_voucher_pool", {"pool_id": "no-such-pool"}), ("list_voucher_pools", {"project_id": "nope"}),
                            ("get_voucher_pool", {})]:
        failed = await s.fails(name, **arguments)
        check(list(failed)[:3] == ["success", "data", "error"] and failed["success"] is False and failed["data"] is None,
              f"{name}({arguments}): {failed}")
        check(isinstance(failed["error"], str) and failed["error"], f"{failed}")
    print(f"mcp-test: voucher failures -> {too_many['error']!r}")
    return pool["id"]


async def main_session(s, raw, socket):
    await tool_list(raw)
    await commission(s)
    await price_rules(s)
    return await vouchers(s)


async def token_session(s, raw, pool_id):
    pools = await s.ok("list_voucher_pools")
    check(pools["data"][0]["id"] == pool_id, f"read with the token: {pools}")
    denied = await s.fails("create_voucher_pool", name="Nope")
    check(denied["code"] == "PERMISSION_DENIED" and "write_vouchers" in denied["error"] + denied.get("hint", ""), f"{denied}")
    print(f"mcp-test: read-only token -> {denied['code']} on a write")
    # The price-rule tools word the same refusal in their own forms.
    forbidden = await s.fails("create_discount_code", price_rule_id="any", discount_code={"code": "NOPE"})
    check(forbidden["code"] == "PermissionDenied" and forbidden["reason"] == "SCOPE_MISSING", f"{forbidden}")
    hidden = await s.fails("get_discount_code", price_rule_id="any", discount_code_id="any")
    check(hidden["error"] == "Forbidden" and hidden["reason"] == "SCOPE_MISSING", f"{hidden}")


async def run(socket):
    with anyio.fail_after(180):
        pool_id = await with_session(socket, lambda s, raw: main_session(s, raw, socket))
        await no_campaigns(socket)
        token = discountctl("create-token", "--scope", "read_vouchers", "--name", "mcp-test", "--socket", socket)["token"]
        await with_session(socket, lambda s, raw: token_session(s, raw, pool_id), token=token)


def main():
    with tempfile.TemporaryDirectory(prefix="discountd-mcp-") as directory:
        socket = f"{directory}/d.sock"
        log = open(f"{directory}/daemon.log", "w")
        daemon = subprocess.Popen(
            [f"{BIN}/discountd", "--socket", socket, "--data-dir", f"{directory}/data", "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=log)
        try:
            for _ in range(300):
                if os.path.exists(socket) and subprocess.run(
                        [f"{BIN}/discountctl", "health", "--socket", socket], capture_output=True).returncode == 0:
                    break
                check(daemon.poll() is None, "discountd exited at start")
                time.sleep(0.05)
            anyio.run(run, socket)
        finally:
            daemon.terminate()
            daemon.wait(timeout=20)
            log.close()
        print("mcp-test: all checks passed")


if __name__ == "__main__":
    try:
        main()
    except* AssertionError as failures:  # raised inside the client's task groups
        def leaves(group):
            for failure in group.exceptions:
                yield from leaves(failure) if isinstance(failure, BaseExceptionGroup) else [failure]
        for failure in leaves(failures):
            print(f"mcp-test: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
