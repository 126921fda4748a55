-- Entering a customer's manager (PAR-3, PAR-7). A partner's collaborators reach only the
-- customers its legal representatives and administrators delegated to them.
CREATE TABLE partner_delegations (
    partner_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (partner_id, user_id, customer_id)
);
-- The products each person reaches one by one: those given to them (`product_access`), and
-- those a customer granted to a partner with limited access, for the partner's people who may
-- enter that customer (legal representatives, administrators, delegated collaborators). Which
-- organization a person may enter at all, and until when, is decided before (access::store);
-- this only scopes the products inside it. Billing rights come from `product_access` only.
CREATE VIEW product_reach AS
    SELECT product_id, user_id, billing FROM product_access
    UNION ALL
    SELECT g.product_id, m.user_id, FALSE AS billing
    FROM partner_customer_products g
    JOIN partner_customers r ON r.id = g.relationship_id AND r.state = 'active'
    JOIN memberships m ON m.organization_id = r.partner_id AND m.blocked_at IS NULL
    WHERE m.role IN ('legal_representative', 'administrator')
       OR EXISTS (SELECT 1 FROM partner_delegations d
                  WHERE d.partner_id = r.partner_id AND d.user_id = m.user_id
                    AND d.customer_id = r.customer_id);
-- Who acted for a partner inside a customer's organization: the customer's log names the
-- partner beside the person ("Paul Partner (for Helvetia Web Agency)"). No foreign key, as for
-- every column of the log: entries outlive what they mention.
ALTER TABLE activity_log ADD COLUMN for_organization_id INTEGER;
