"""Prints one real exchange per `discountctl mcp` tool, as Markdown, for the
README's MCP section: it starts a fresh discountd on a temporary socket, calls
every tool once through the official MCP Python client, and prints each call's
arguments and the answer's text as the bridge sent it.

    .build-venv/mcp/bin/python scripts/mcp/exchanges.py > /tmp/exchanges.md
    (DISCOUNTD_BIN_DIR: folder with discountd and discountctl; default .build/debug)
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

BIN = os.environ.get("DISCOUNTD_BIN_DIR", ".build/debug")
# The tools with a documented API, shown first and in full.
DOCUMENTED = {"get_my_discount_code", "create_discount_code", "get_discount_code",
              "list_voucher_pools", "get_voucher_pool", "list_voucher_codes"}


class Recorder:
    def __init__(self, session):
        self.session = session
        self.exchanges = []

    async def call(self, name, /, **arguments):
        result = await self.session.call_tool(name, arguments)
        text = result.content[0].text
        self.exchanges.append((name, arguments, text, bool(result.isError)))
        return json.loads(text)


async def script(r):
    campaign = (await r.call("create_campaign", name="Spring Sale", discount_percent=10, commission_percent=5,
                             ends_at="2030-03-31T23:59:59Z"))["campaign"]
    agent = await r.call("register_agent", agent_name="Coffee Bot")
    await r.call("get_active_campaigns")
    await r.call("get_my_discount_code", agent_id=str(agent["agent_id"]), campaign_id=campaign["campaign_id"])
    await r.call("get_my_discount_code", agent_id="99")
    await r.call("get_my_discount_code", agent_id=str(agent["agent_id"]), campaign_id=99)
    mine = (await r.call("get_my_discount_code", agent_id=str(agent["agent_id"])))["discount_codes"][0]
    await r.call("record_order", order_id="order-77", codes=[mine["discount_code"].lower()], subtotal=8500, currency="USD",
                 status="paid")
    await r.call("get_my_commissions", agent_id=str(agent["agent_id"]))
    await r.call("update_campaign", campaign_id=campaign["campaign_id"], commission_percent=6)
    await r.call("list_campaigns")
    other = (await r.call("create_campaign", name="Flash", discount_percent=5, commission_percent=1))["campaign"]
    await r.call("end_campaign", campaign_id=other["campaign_id"])

    rule = (await r.call("create_price_rule", title="Summer", value_type="percentage", value=20, usage_limit=1000))["price_rule"]
    await r.call("get_price_rule", price_rule_id=rule["id"])
    await r.call("list_price_rules", page_size=10)
    await r.call("update_price_rule", price_rule_id=rule["id"], title="Summer sale")
    created = await r.call("create_discount_code", price_rule_id=rule["id"],
                           discount_code={"code": "SUMMER20", "use_with_other": 1, "usage_limit": 100})
    code = created["data"]["discount_codes"][0]
    await r.call("create_discount_code", price_rule_id=rule["id"], discount_code={"code": "summer20"})
    await r.call("get_discount_code", price_rule_id=rule["id"], discount_code_id=code["id"])
    await r.call("get_discount_code", price_rule_id=rule["id"], discount_code_id="nope")
    await r.call("batch_create_discount_codes", price_rule_id=rule["id"], count=1000, prefix="VIP-", length=6)
    await r.call("list_discount_codes", price_rule_id=rule["id"], page_size=2)
    await r.call("lookup_discount_code", code="summer20")
    await r.call("validate_discount_code", code="SUMMER20", customer_id="c-7")
    await r.call("redeem_discount_code", code="SUMMER20", order_id="order-1001", customer_id="c-7")
    await r.call("rollback_redemption", order_id="order-1001")
    await r.call("update_discount_code", price_rule_id=rule["id"], discount_code_id=code["id"], usage_limit=50)
    spare = (await r.call("create_discount_code", price_rule_id=rule["id"], discount_code={"code": "SPARE"}))
    await r.call("delete_discount_code", price_rule_id=rule["id"], discount_code_id=spare["data"]["discount_codes"][0]["id"])
    scrap = (await r.call("create_price_rule", title="Scrap", value_type="fixed_amount", value=500, currency="USD"))["price_rule"]
    await r.call("delete_price_rule", price_rule_id=scrap["id"])

    projects = await r.call("list_projects")
    project_id = projects["projects"][0]["id"]
    pool = (await r.call("create_voucher_pool", project_id=project_id, name="Welcome vouchers"))["pool"]
    await r.call("add_voucher_codes", project_id=project_id, pool_id=pool["id"], count=3, prefix="WELCOME-", length=6)
    assigned = await r.call("assign_voucher_code", project_id=project_id, pool_id=pool["id"], customer_id="cust-42",
                            used_by="spring-mail")
    await r.call("redeem_voucher_code", project_id=project_id, code=assigned["code"])
    await r.call("assign_voucher_code", project_id=project_id, pool_id=pool["id"], customer_id="cust-43", used_by="spring-mail")
    await r.call("list_voucher_pools", project_id=project_id)
    await r.call("get_voucher_pool", project_id=project_id, pool_id=pool["id"])
    await r.call("list_voucher_codes", project_id=project_id, pool_id=pool["id"], count=3)
    await r.call("list_voucher_codes", project_id=project_id, pool_id=pool["id"], count=5000)
    scratch = (await r.call("create_voucher_pool", project_id=project_id, name="Scratch"))["pool"]
    await r.call("delete_voucher_pool", project_id=project_id, pool_id=scratch["id"])
    await r.call("health")
    await r.call("server_info")


def markdown(exchanges, tools):
    def block(name, arguments, text, is_error):
        marker = " (isError)" if is_error else ""
        return f"`{name}` `{json.dumps(arguments)}`{marker}\n\n```json\n{text}\n```\n"

    # Each tool's first exchange, plus the documented tools' failures.
    seen, first, rest = set(), [], []
    for exchange in exchanges:
        name, _, _, is_error = exchange
        if name in DOCUMENTED and (name not in seen or is_error):
            first.append(exchange)
        elif name not in seen:
            rest.append(exchange)
        seen.add(name)
    missing = [tool for tool in tools if tool not in seen]
    if missing:
        sys.exit(f"exchanges.py: no exchange for {missing}")
    order = {tool: index for index, tool in enumerate(tools)}
    first.sort(key=lambda e: order[e[0]])
    print("\n".join(block(*e) for e in first))
    print("<details><summary>Every other tool, one exchange each</summary>\n")
    print("\n".join(block(*e) for e in rest))
    print("</details>")


async def run(socket):
    params = StdioServerParameters(command=f"{BIN}/discountctl", args=["mcp", "--socket", socket], env=dict(os.environ))
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = [tool.name for tool in (await session.list_tools()).tools]
            recorder = Recorder(session)
            await script(recorder)
            markdown(recorder.exchanges, tools)


def main():
    with tempfile.TemporaryDirectory(prefix="discountd-exchanges-") as directory:
        socket = f"{directory}/d.sock"
        daemon = subprocess.Popen([f"{BIN}/discountd", "--socket", socket, "--data-dir", f"{directory}/data",
                                   "--log-level", "warning"], stdout=subprocess.DEVNULL)
        try:
            for _ in range(300):
                if os.path.exists(socket) and subprocess.run(
                        [f"{BIN}/discountctl", "health", "--socket", socket], capture_output=True).returncode == 0:
                    break
                time.sleep(0.05)
            anyio.run(run, socket)
        finally:
            daemon.terminate()
            daemon.wait(timeout=20)


if __name__ == "__main__":
    main()
