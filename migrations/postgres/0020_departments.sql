-- Need to know (issue 16, item 4): the departments a staff account works
-- for. A department is a department code: the `department` of the service
-- catalogue (and so of `cases.department`) and the `slug` of
-- `contact_departments` (forwards) are the same codes. A staff account sees
-- only the cases and forwards of its departments, unless it holds the role
-- `all_departments` (or `admin`).
CREATE TABLE staff_departments (
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    department  TEXT NOT NULL,
    granted_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, department)
);
CREATE INDEX staff_departments_department ON staff_departments (department);
