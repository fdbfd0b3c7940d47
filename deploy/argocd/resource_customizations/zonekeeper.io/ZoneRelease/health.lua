-- Argo CD health of a zonekeeper.io ZoneRelease.
--   Healthy      phase Succeeded
--   Suspended    phase Waiting: the trigger (at, after) has not fired yet;
--                like a suspended CronJob, nothing is wrong and nothing moves
--   Degraded     phase Failed (e.g. an unknown instance name; nothing was released)
--   Progressing  no status yet, an older generation observed, Pending, Releasing
-- Written for Lua 5.1 (gopher-lua, which Argo CD embeds).
local hs = { status = "Progressing", message = "Waiting for the zonekeeper operator" }

if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.message = "Deleting"
  return hs
end
if obj.status == nil then
  return hs
end
local generation = (obj.metadata ~= nil and obj.metadata.generation) or 0
local observed = obj.status.observedGeneration or 0
if observed < generation then
  hs.message = string.format("Waiting for the operator to observe generation %d (status is for %d)", generation, observed)
  return hs
end

-- src/controllers reports Succeeded (False/Waiting, False/Releasing, True/Released)
-- and, on a refused release, Failed=True; their messages say what happened.
local conditions = {}
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type ~= nil then
    conditions[c.type] = c
  end
end
local function say(kind, fallback)
  local c = conditions[kind]
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  return fallback
end

local phase = obj.status.phase
if phase == "Succeeded" then
  hs.status = "Healthy"
  hs.message = say("Succeeded", "Released")
elseif phase == "Failed" then
  hs.status = "Degraded"
  hs.message = say("Failed", say("Succeeded", "The release failed; nothing was released"))
elseif phase == "Waiting" then
  hs.status = "Suspended"
  if obj.status.releaseTime ~= nil then
    hs.message = "Waiting to release at " .. obj.status.releaseTime
  else
    hs.message = say("Succeeded", "Waiting for the trigger")
  end
elseif phase == "Pending" or phase == "Releasing" then
  hs.message = say("Succeeded", phase)
end
return hs
