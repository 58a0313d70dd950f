-- wrk script: POST /api/v1/check with a typical post of about 280 characters (a personal post
-- that names the employer, a patient's first name and a relative time: three findings).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"id":"bench-1","text":"Long night in the ER at Alderbrook but so worth it. The little guy in bed 4 finally got his cast and a popsicle, and his mom Jenna hugged every nurse on the unit. This is why we do it! Grateful for this team, the coffee cart and the night shift crew who never let each other down. #nurselife","context":{"channel":"personal","kind":"post"}}]]
