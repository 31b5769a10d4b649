package briefings

import "strings"

// placeNames are the words of the world's countries, their people and
// capitals, and much-named regions, normalized. Typo correction never
// turns one of them into another name: someone asking about Iraq in a
// library that only covers Iran, or about Zambia where only Gambia is
// covered, must hear that there is no briefing, not get the wrong country.
var placeNames = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		afghanistan afghan afghans kabul albania albanian tirana algeria algerian algiers andorra angola
		angolan luanda antigua barbuda argentina argentine argentinian buenos aires armenia armenian yerevan
		australia australian canberra austria austrian vienna azerbaijan azerbaijani baku bahamas bahrain
		bahraini manama bangladesh bangladeshi dhaka barbados belarus belarusian minsk belgium belgian
		brussels belize benin beninese bhutan bolivia bolivian bosnia herzegovina sarajevo botswana brazil
		brazilian brasilia brunei bulgaria bulgarian sofia burkina faso burkinabe ouagadougou burundi
		cambodia cambodian cameroon cameroonian canada canadian ottawa cape verde chad chadian chile
		chilean santiago china chinese beijing colombia colombian bogota comoros congo congolese kinshasa
		costa rica croatia croatian zagreb cuba cuban havana cyprus cypriot czechia czech prague denmark
		danish copenhagen djibouti dominica dominican ecuador ecuadorian quito egypt egyptian cairo salvador
		equatorial guinea eritrea eritrean asmara estonia estonian tallinn eswatini ethiopia ethiopian addis
		ababa fiji finland finnish helsinki france french paris gabon gabonese gambia gambian georgia
		georgian tbilisi germany german berlin ghana ghanaian accra greece greek athens grenada guatemala
		guatemalan guinean guyana haiti haitian honduras honduran hungary hungarian budapest iceland
		icelandic india indian delhi indonesia indonesian jakarta iran iranian tehran iraq iraqi baghdad
		ireland irish dublin israel israeli jerusalem italy italian rome jamaica jamaican japan japanese
		tokyo jordan jordanian amman kazakhstan kazakh astana almaty kenya kenyan nairobi kiribati korea
		korean seoul pyongyang kosovo kuwait kuwaiti kyrgyzstan kyrgyz bishkek laos lao vientiane latvia
		latvian riga lebanon lebanese beirut lesotho liberia liberian monrovia libya libyan tripoli
		liechtenstein lithuania lithuanian vilnius luxembourg madagascar malagasy malawi malawian malaysia
		malaysian kuala lumpur maldives mali malian bamako malta maltese marshall mauritania mauritanian
		mauritius mexico mexican micronesia moldova moldovan chisinau monaco mongolia mongolian ulaanbaatar
		montenegro morocco moroccan rabat mozambique mozambican maputo myanmar burma burmese naypyidaw
		namibia namibian nauru nepal nepali kathmandu netherlands dutch amsterdam zealand niger nigerien
		niamey nigeria nigerian abuja lagos macedonia norway norwegian oslo oman omani muscat pakistan
		pakistani islamabad palau palestine palestinian gaza panama panamanian papua paraguay paraguayan
		peru peruvian lima philippines filipino manila poland polish warsaw portugal portuguese lisbon
		qatar qatari doha romania romanian bucharest russia russian moscow rwanda rwandan kigali samoa
		marino sao tome principe saudi arabia riyadh senegal senegalese dakar serbia serbian belgrade
		seychelles sierra leone singapore slovakia slovak bratislava slovenia slovenian ljubljana solomon
		somalia somali mogadishu africa african pretoria spain spanish madrid lanka sri colombo sudan
		sudanese khartoum suriname sweden swedish stockholm switzerland swiss bern syria syrian damascus
		taiwan taiwanese taipei tajikistan tajik dushanbe tanzania tanzanian dodoma thailand thai bangkok
		timor togo togolese lome tonga trinidad tobago tunisia tunisian tunis turkey turkiye turkish ankara
		istanbul turkmenistan turkmen ashgabat tuvalu uganda ugandan kampala ukraine ukrainian kyiv kiev
		emirates emirati dubai kingdom britain british london england scotland wales usa america american
		washington uruguay uruguayan montevideo uzbekistan uzbek tashkent vanuatu vatican venezuela
		venezuelan caracas vietnam vietnamese hanoi yemen yemeni sanaa zambia zambian lusaka zimbabwe
		zimbabwean harare
		europe european asia asian arctic antarctica caribbean balkans baltic baltics caucasus sahel sahara
		levant maghreb gulf mediterranean pacific atlantic sinai kashmir crimea donbas tibet xinjiang
		hongkong macau kurdistan greenland siberia scandinavia iberia anatolia punjab bengal`) {
		m[w] = true
	}
	// Places of several words, among them those that hold the name of
	// another place ("south sudan", "north korea", "new guinea").
	for _, p := range strings.Split(`north korea,south korea,south sudan,south africa,central african republic,
		new zealand,papua new guinea,new guinea,equatorial guinea,guinea bissau,dominican republic,east timor,
		timor leste,west bank,saudi arabia,sri lanka,costa rica,el salvador,united states,united kingdom,
		united arab emirates,czech republic,north macedonia,bosnia and herzegovina,ivory coast,cote divoire,
		cape verde,sierra leone,burkina faso,san marino,hong kong,puerto rico,western sahara,northern ireland,
		south ossetia,democratic republic of congo,republic of congo,north africa,west africa,east africa,
		southern africa,central asia,south asia,southeast asia,east asia,middle east,latin america,
		south america,north america,central america,horn of africa,gaza strip,new york,new mexico,
		new caledonia,solomon islands,marshall islands,faroe islands,virgin islands,cayman islands,
		south georgia,north carolina,south carolina,north dakota,south dakota,west virginia,new jersey,
		new hampshire`, ",") {
		m[strings.Join(strings.Fields(p), " ")] = true
	}
	return m
}()

// IsPlaceName reports whether a normalized word or phrase is the name of a
// country, its people or capital, or a much-named region.
func IsPlaceName(w string) bool { return placeNames[w] }

// demonyms lead from the word for a people to its place's name word, so
// that "iranian risks" finds Iran and "north korean" is North Korea.
var demonyms = func() map[string]string {
	m := map[string]string{}
	for _, pair := range strings.Fields(`afghan:afghanistan albanian:albania algerian:algeria angolan:angola
		argentine:argentina argentinian:argentina armenian:armenia australian:australia austrian:austria
		azerbaijani:azerbaijan bahraini:bahrain bangladeshi:bangladesh belarusian:belarus belgian:belgium
		beninese:benin bolivian:bolivia brazilian:brazil bulgarian:bulgaria burmese:myanmar cambodian:cambodia
		cameroonian:cameroon canadian:canada chadian:chad chilean:chile chinese:china colombian:colombia
		congolese:congo croatian:croatia cuban:cuba cypriot:cyprus czech:czechia danish:denmark dutch:netherlands
		ecuadorian:ecuador egyptian:egypt emirati:emirates eritrean:eritrea estonian:estonia ethiopian:ethiopia
		filipino:philippines finnish:finland french:france gabonese:gabon gambian:gambia georgian:georgia
		german:germany ghanaian:ghana greek:greece guatemalan:guatemala guinean:guinea haitian:haiti
		honduran:honduras hungarian:hungary icelandic:iceland indian:india indonesian:indonesia iranian:iran
		iraqi:iraq irish:ireland israeli:israel italian:italy jamaican:jamaica japanese:japan jordanian:jordan
		kazakh:kazakhstan kenyan:kenya korean:korea kuwaiti:kuwait kyrgyz:kyrgyzstan lao:laos latvian:latvia
		lebanese:lebanon liberian:liberia libyan:libya lithuanian:lithuania malagasy:madagascar malawian:malawi
		malaysian:malaysia malian:mali maltese:malta mauritanian:mauritania mexican:mexico moldovan:moldova
		mongolian:mongolia moroccan:morocco mozambican:mozambique namibian:namibia nepali:nepal nigerien:niger
		nigerian:nigeria norwegian:norway omani:oman pakistani:pakistan palestinian:palestine panamanian:panama
		paraguayan:paraguay peruvian:peru polish:poland portuguese:portugal qatari:qatar romanian:romania
		russian:russia rwandan:rwanda senegalese:senegal serbian:serbia slovak:slovakia slovenian:slovenia
		somali:somalia spanish:spain sudanese:sudan swedish:sweden swiss:switzerland syrian:syria
		taiwanese:taiwan tajik:tajikistan tanzanian:tanzania thai:thailand togolese:togo tunisian:tunisia
		turkish:turkey turkmen:turkmenistan ugandan:uganda ukrainian:ukraine uruguayan:uruguay uzbek:uzbekistan
		venezuelan:venezuela vietnamese:vietnam yemeni:yemen zambian:zambia zimbabwean:zimbabwe
		british:britain european:europe african:africa asian:asia`) {
		people, place, _ := strings.Cut(pair, ":")
		m[people] = place
	}
	return m
}()

// PlaceOfPeople returns the place name word for the normalized word for
// its people ("iranian" → "iran"), or "".
func PlaceOfPeople(w string) string { return demonyms[w] }
