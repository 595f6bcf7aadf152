package rag

import (
	"regexp"
	"strings"
)

// measure is what a "how …" question measures, told by the units an
// answer may carry.
type measure uint8

const (
	measureNone measure = iota
	measureCount
	measureLength
	measureWeight
	measureTime
	measureMoney
	measureSpeed
	measurePercent
	measureFrequency
	measureArea
	measureVolume
	measureEnergy
	measureData
)

// askedMeasure reads the measure a question asks for from its opening
// ("how tall" a length, "how heavy" a weight, "how old" a time, "how much
// did it cost" money, "how many" a count) and, for "how many X", what X
// is when X is itself a unit ("how many kilometres"). "how long" asks for
// a length or a time, "how big" for any: no measure.
func askedMeasure(core, focus string) measure {
	m := measurePhrase.FindStringSubmatch(strings.ToLower(core))
	if m == nil {
		return measureNone
	}
	switch m[1] {
	case "tall", "high", "deep", "wide", "far":
		return measureLength
	case "heavy":
		return measureWeight
	case "old":
		return measureTime
	case "fast":
		return measureSpeed
	case "many":
		if u, ok := unitMeasure[focus]; ok {
			return u
		}
		return measureCount
	case "much":
		if moneyVerb.MatchString(core) {
			return measureMoney
		}
		if weighVerb.MatchString(core) {
			return measureWeight
		}
	}
	return measureNone
}

var (
	measurePhrase = regexp.MustCompile(`^how (tall|high|deep|wide|far|heavy|old|fast|many|much)\b`)
	moneyVerb     = regexp.MustCompile(`(?i)\b(cost|costs|costing|pay|pays|paid|price|priced|spend|spent|earn|earns|earned|worth|sell|sold|charge|charged|fee|fees|salary|wage|wages|budget|fine|fined)\b`)
	weighVerb     = regexp.MustCompile(`(?i)\b(weigh|weighs|weighed|weight)\b`)
)

// fits reports whether a number with the given unit (the word after it,
// "" for none) can answer a question of measure m. A bare number can
// answer any; a count is no length or sum of money ("130 kilometres"
// answers no "how many bridges"), nor a length a weight.
func (m measure) fits(unit string, money bool) bool {
	if m == measureNone {
		return true
	}
	u, isUnit := unitMeasure[unit]
	if money {
		u, isUnit = measureMoney, true
	}
	if !isUnit {
		return m == measureCount || unit == ""
	}
	switch m {
	case measureSpeed:
		return u == measureSpeed || u == measureLength
	case measureWeight:
		return u == measureWeight || u == measureMoney && (unit == "pound" || unit == "pounds")
	case measureMoney:
		// "how much was the budget raised": by a share of it, too.
		return u == measureMoney || u == measurePercent || unit == "pound" || unit == "pounds"
	}
	return u == m
}

// unitMeasure holds the units of measure written after a number, by what
// they measure.
var unitMeasure = func() map[string]measure {
	out := map[string]measure{}
	for m, units := range map[measure]string{
		measureLength:    "m km cm mm metre metres meter meters kilometre kilometres kilometer kilometers centimetre centimetres centimeter centimeters millimetre millimetres millimeter millimeters mile miles foot feet ft inch inches yard yards",
		measureWeight:    "kg g gram grams kilogram kilograms tonne tonnes ton tons lb lbs pound pounds ounce ounces oz",
		measureTime:      "second seconds minute minutes hour hours day days week weeks month months year years decade decades century centuries millisecond milliseconds ms",
		measureMoney:     "dollar dollars euro euros cent cents yen florin florins pence shilling shillings real reais rupee rupees franc francs crown crowns ducat ducats guilder guilders peso pesos yuan rouble roubles ruble rubles",
		measureSpeed:     "mph kph knot knots",
		measurePercent:   "percent %",
		measureFrequency: "hz khz mhz ghz",
		measureArea:      "hectare hectares acre acres",
		measureVolume:    "litre litres liter liters gallon gallons barrel barrels",
		measureEnergy:    "watt watts kw mw gw kwh mwh joule joules kilojoule kilojoules megawatt megawatts gigawatt gigawatts",
		measureData:      "byte bytes kb mb gb tb kilobyte kilobytes megabyte megabytes gigabyte gigabytes",
	} {
		for _, u := range strings.Fields(units) {
			out[u] = m
		}
	}
	return out
}()
