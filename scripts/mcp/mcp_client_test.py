"""Drives `discountctl mcp` over stdio with the official MCP Python client
against a real discountd on a temporary socket (scripts/mcp-test runs it).

Checks: the tool list (seed names, schemas, descriptions); get_my_discount_code,
create_discount_code and list_voucher_codes answering in the seeds' shapes;
failures as tool errors carrying the daemon's message and hint; the token
forwarded to the daemon (a read-only token is refused a write).
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN = os.environ["DISCOUNTD_BIN_DIR"]
SEED_TOOLS = [
    "register_agent", "get_active_campaigns", "get_my_discount_code", "create_discount_code",
    "get_discount_code", "list_voucher_pools", "get_voucher_pool", "list_voucher_codes",
]


def check(condition, message):
    if not condition:
        raise AssertionError(message)


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
            await body(Session(session), session)


async def main_session(s, raw):
    listed = (await raw.list_tools()).tools
    names = [tool.name for tool in listed]
    for name in SEED_TOOLS:
        check(name in names, f"tool {name} listed: {names}")
    for tool in listed:
        check(tool.description, f"{tool.name} has a description")
        check(tool.inputSchema.get("type") == "object", f"{tool.name} schema: {tool.inputSchema}")
    schema = next(t for t in listed if t.name == "get_my_discount_code").inputSchema
    check(schema["required"] == ["agent_id"], f"get_my_discount_code requires agent_id: {schema}")
    check(schema["properties"]["campaign_id"]["type"] == "integer", f"campaign_id is an integer: {schema}")
    print(f"mcp-test: {len(listed)} tools listed")

    # Commission: the agent seed's flow.
    campaign = (await s.ok("create_campaign", name="Spring", discount_percent=15, commission_percent=10))["campaign"]
    agent = await s.ok("register_agent", agent_name="Acme Sales", contact="acme@example.com")
    check(agent["created"] is True and agent["agent_name"] == "Acme Sales", f"register_agent: {agent}")
    again = await s.ok("register_agent", agent_name="Acme Sales")
    check(again["agent_id"] == agent["agent_id"] and again["created"] is False, f"same agent again: {again}")
    active = await s.ok("get_active_campaigns")
    check([c["campaign_id"] for c in active["campaigns"]] == [campaign["campaign_id"]], f"active: {active}")
    mine = await s.ok("get_my_discount_code", agent_id=agent["agent_id"], campaign_id=campaign["campaign_id"])
    check(list(mine) == ["discount_codes"], f"the seed's shape: {mine}")
    code = mine["discount_codes"][0]
    check(re.fullmatch(r"CC-ACME-[A-Z0-9]{4}", code["discount_code"]), f"agent code: {code}")
    check(code["discount_percent"] == 15 and code["campaign_name"] == "Spring" and code["is_active"] is True, f"{code}")
    check(code["shopify_sync_status"] == "skipped_no_credentials", f"no Shopify credentials: {code}")
    same = await s.ok("get_my_discount_code", agent_id=agent["agent_id"])
    check(same["discount_codes"][0]["discount_code"] == code["discount_code"], f"get-or-create: {same}")
    print(f"mcp-test: get_my_discount_code -> {code['discount_code']}")

    unknown = await s.fails("get_my_discount_code", agent_id=999)
    check(unknown["error"] == "Agent not registered. Call register_agent first.", f"message: {unknown}")
    check(unknown["hint"] == "Use register_agent to get an agent_id.", f"hint: {unknown}")
    check(unknown["code"] == "NOT_FOUND" and unknown["reason"] == "AGENT_NOT_REGISTERED", f"{unknown}")

    # Price rules: create_discount_code in the seed's shape, a taken code refused.
    rule = (await s.ok("create_price_rule", title="Summer", value_type="percentage", value=15))["price_rule"]
    created = await s.ok("create_discount_code", price_rule_id=rule["id"], code="SUMMER15", usage_limit=100)
    check(list(created) == ["discount_codes"] and len(created["discount_codes"]) == 1, f"the seed's shape: {created}")
    discount = created["discount_codes"][0]
    check(discount["code"] == "SUMMER15" and discount["usage_limit"] == 100, f"{discount}")
    got = await s.ok("get_discount_code", price_rule_id=rule["id"], discount_code_id=discount["id"])
    check(got["discount_code"]["id"] == discount["id"] and got["discount_code"]["usage_count"] == 0, f"{got}")
    taken = await s.fails("create_discount_code", price_rule_id=rule["id"], code="summer15")
    check(taken["code"] == "ALREADY_EXISTS" and taken["reason"] == "CODE_TAKEN", f"taken: {taken}")
    check("summer15" in taken["error"].lower(), f"the message names the code: {taken}")
    print(f"mcp-test: create_discount_code -> {discount['code']}; again -> {taken['reason']}")

    # Vouchers: the seed's envelope, successes and failures.
    pool = (await s.ok("create_voucher_pool", name="Newsletter"))["pool"]
    added = await s.ok("add_voucher_codes", pool_id=pool["id"], codes=["V-1", "V-2", "V-3", "v-1"])
    check(added["added"] == 3 and added["duplicates"] == 1, f"add_voucher_codes: {added}")
    assigned = await s.ok("assign_voucher_code", pool_id=pool["id"], customer_id="ann", used_by="mail")
    check(assigned["code"] == "V-1", f"assign: {assigned}")
    page = await s.ok("list_voucher_codes", pool_id=pool["id"], skip=1, count=2)
    check(page["success"] is True and page["error"] is None, f"envelope: {page}")
    check(page["matched"] == 3 and page["skip"] == 1 and page["limit"] == 2, f"paging: {page}")
    check([c["code"] for c in page["data"]] == ["V-2", "V-3"], f"codes: {page}")
    check(all(c["assigned_time"] is None and c["redeemed_time"] is None for c in page["data"]), f"{page}")
    pools = await s.ok("list_voucher_pools")
    check(pools["success"] is True and pools["data"][0]["available"] == 2, f"pools: {pools}")
    print(f"mcp-test: list_voucher_codes -> {[c['code'] for c in page['data']]}")
    too_many = await s.fails("list_voucher_codes", pool_id=pool["id"], count=5000)
    check(too_many["success"] is False and too_many["data"] is None, f"seed failure envelope: {too_many}")
    check(too_many["code"] == "INVALID_ARGUMENT" and "count" in too_many["error"], f"{too_many}")
    missing = await s.fails("get_voucher_pool")
    check(missing["field"] == "pool_id" and "required" in missing["error"], f"missing argument: {missing}")
    wrong = await s.fails("get_my_discount_code", agent_id="one")
    check(wrong["field"] == "agent_id" and "integer" in wrong["error"], f"wrong type: {wrong}")
    return pool["id"]


async def token_session(s, raw, pool_id):
    pools = await s.ok("list_voucher_pools")
    check(pools["data"][0]["id"] == pool_id, f"read with the token: {pools}")
    denied = await s.fails("create_voucher_pool", name="Nope")
    check(denied["code"] == "PERMISSION_DENIED" and "write_vouchers" in denied["error"] + denied.get("hint", ""), f"{denied}")
    print(f"mcp-test: read-only token -> {denied['code']} on a write")


async def run(socket):
    state = {}

    async def first(s, raw):
        state["pool"] = await main_session(s, raw)

    with anyio.fail_after(120):
        await with_session(socket, first)
        token = discountctl("create-token", "--scope", "read_vouchers", "--name", "mcp-test", "--socket", socket)["token"]
        await with_session(socket, lambda s, raw: token_session(s, raw, state["pool"]), token=token)


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
