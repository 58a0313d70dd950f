-- wrk script: POST /api/v1/drafts as a signed-in staff member (cookie and CSRF token from the
-- environment, set by scripts/bench-server). Each request stores a draft, its scan result and
-- its audit entry, in one transaction; an official-account draft goes to the review queue.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "postguard_session=" .. os.getenv("PG_COOKIE")
wrk.headers["X-CSRF-Token"] = os.getenv("PG_CSRF")
wrk.body = [[{"text":"Join us Saturday for the Millbrook Community Health Fair at Riverside Park, 10am to 2pm. Free blood pressure checks, healthy cooking demos and a bike helmet giveaway for kids! #AlderbrookCares","channel":"@AlderbrookHealth","kind":"post"}]]
