extension PostgresSchema {
    /// Step 5: RedeemDiscountCode for a whole batch of calls, in one statement.
    static let redemption: [String] = [
        """
        CREATE TYPE discountd_redemption AS (ord integer, outcome text, code discount_codes, rule price_rules)
        """,
        // RedeemDiscountCode for a batch of calls, in call order, in the caller's
        // (one) transaction. Every decision is the database's: rows are locked, then
        // checked as RedemptionPolicy.refusal checks them (same order, same answers),
        // then counted by conditional UPDATEs. Changed codes and rules are logged in
        // one INSERT at the end (one doorbell).
        """
        CREATE FUNCTION discountd_redeem(
            p_projects text[], p_codes text[], p_orders text[], p_customers text[], p_instants timestamptz[]
        ) RETURNS SETOF discountd_redemption LANGUAGE plpgsql AS $$
        DECLARE
            c discount_codes;
            r price_rules;
            answer discountd_redemption;
            refusal text;
            log_kinds text[] := '{}';
            log_projects text[] := '{}';
            log_ids text[] := '{}';
            log_keys text[] := '{}';
            log_versions bigint[] := '{}';
        BEGIN
            -- Lock what the batch may count, rules before codes, each in key order:
            -- batches committing at once (on several daemons) wait, never deadlock.
            PERFORM 1 FROM price_rules pr
            WHERE (pr.project_id, pr.id) IN (
                SELECT dc.project_id, dc.price_rule_id
                FROM discount_codes dc JOIN unnest(p_projects, p_codes) AS b (project_id, canonical_code)
                    ON dc.project_id = b.project_id AND dc.canonical_code = b.canonical_code)
            ORDER BY pr.project_id, pr.id
            FOR UPDATE;
            PERFORM 1 FROM discount_codes dc
            WHERE (dc.project_id, dc.canonical_code) IN (SELECT * FROM unnest(p_projects, p_codes))
            ORDER BY dc.project_id, dc.id
            FOR UPDATE;

            FOR i IN 1 .. coalesce(cardinality(p_codes), 0) LOOP
                answer := ROW(i, NULL, NULL, NULL);
                SELECT * INTO c FROM discount_codes
                WHERE project_id = p_projects[i] AND canonical_code = p_codes[i] FOR UPDATE;
                IF NOT FOUND THEN
                    answer.outcome := 'not_found';
                    RETURN NEXT answer;
                    CONTINUE;
                END IF;
                SELECT * INTO STRICT r FROM price_rules WHERE project_id = c.project_id AND id = c.price_rule_id FOR UPDATE;

                IF EXISTS (
                    SELECT 1 FROM redemptions
                    WHERE project_id = c.project_id AND order_id = p_orders[i] AND discount_code_id = c.id
                        AND rolled_back_at IS NULL
                ) THEN
                    answer.outcome := 'already_redeemed';
                ELSE
                    refusal := CASE
                        WHEN p_instants[i] < r.starts_at THEN 'CODE_NOT_ACTIVE'
                        WHEN r.ends_at IS NOT NULL AND p_instants[i] >= r.ends_at THEN 'CODE_EXPIRED'
                        WHEN c.usage_limit IS NOT NULL AND c.usage_count >= c.usage_limit THEN 'USAGE_LIMIT_REACHED'
                        WHEN r.usage_limit IS NOT NULL AND r.usage_count >= r.usage_limit THEN 'USAGE_LIMIT_REACHED'
                        WHEN r.once_per_customer AND p_customers[i] IS NOT NULL AND EXISTS (
                            SELECT 1 FROM redemptions
                            WHERE project_id = c.project_id AND price_rule_id = r.id AND customer_id = p_customers[i]
                                AND rolled_back_at IS NULL
                        ) THEN 'ALREADY_USED_BY_CUSTOMER'
                    END;
                    IF refusal IS NOT NULL THEN
                        answer.outcome := refusal;
                    ELSE
                        -- Conditional counters: each moves only while under its limit.
                        UPDATE discount_codes SET usage_count = usage_count + 1, version = version + 1
                        WHERE project_id = c.project_id AND id = c.id
                            AND (usage_limit IS NULL OR usage_count < usage_limit)
                        RETURNING * INTO c;
                        IF NOT FOUND THEN RAISE EXCEPTION 'discount code % passed its limit while locked', c.id; END IF;
                        UPDATE price_rules SET usage_count = usage_count + 1, version = version + 1
                        WHERE project_id = r.project_id AND id = r.id
                            AND (usage_limit IS NULL OR usage_count < usage_limit)
                        RETURNING * INTO r;
                        IF NOT FOUND THEN RAISE EXCEPTION 'price rule % passed its limit while locked', r.id; END IF;
                        INSERT INTO redemptions (project_id, order_id, discount_code_id, price_rule_id, customer_id, created_at)
                        VALUES (c.project_id, p_orders[i], c.id, r.id, p_customers[i], p_instants[i]);
                        log_kinds := log_kinds || ARRAY['discount_code', 'price_rule'];
                        log_projects := log_projects || ARRAY[c.project_id, r.project_id];
                        log_ids := log_ids || ARRAY[c.id, r.id];
                        log_keys := log_keys || ARRAY[c.canonical_code, NULL];
                        log_versions := log_versions || ARRAY[c.version, r.version];
                        answer.outcome := 'redeemed';
                    END IF;
                END IF;
                answer.code := c;
                answer.rule := r;
                RETURN NEXT answer;
            END LOOP;

            INSERT INTO change_log (kind, project_id, entity_id, entity_key, version)
            SELECT * FROM unnest(log_kinds, log_projects, log_ids, log_keys, log_versions);
        END
        $$
        """,
    ]
}
