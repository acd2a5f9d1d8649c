/**
 * Where a post happened decides which event it belongs to: the national gazetteer (paths of full
 * names), townships by their suffix, and the rules that keep two incidents in two places apart.
 */
import { analyseItem } from '../../src/opinion/analysis/analyse.js';
import { buildGazetteer, shortName, type Division } from '../../src/opinion/analysis/gazetteer.js';
import { compileLexicons, loadShippedLexicons, segmenterWords } from '../../src/opinion/analysis/lexicon.js';
import { hazardKinds } from '../../src/opinion/analysis/hazards.js';
import { extractPlaces, mergePlaces, placesOverlap } from '../../src/opinion/analysis/places.js';
import { normalize } from '../../src/text/normalize.js';
import { addWords, cut } from '../../src/text/segment.js';
import { indexWith } from '../support/clusters.js';

const shipped = loadShippedLexicons();
addWords(segmenterWords(shipped));
const lx = compileLexicons(shipped);
const places = (text: string) => extractPlaces(cut(normalize(text)));
const news = (content: string) => analyseItem({ content, channel: 'news', source: 't' }, lx);

describe('the national gazetteer', () => {
  it('places news by province, city and county, as reporters write them', () => {
    expect(places('今天凌晨，江苏响水一化工厂发生爆炸')).toEqual(['江苏省/盐城市/响水县']);
    expect(places('山西临汾一煤矿发生透水事故，12人被困')).toEqual(['山西省/临汾市']);
    expect(places('四川宜宾长宁县发生6.0级地震')).toEqual(['四川省/宜宾市/长宁县']);
    // Names jieba keeps whole or cuts apart.
    expect(places('广西南宁暴雨')).toEqual(['广西壮族自治区/南宁市']);
    expect(places('延边州一煤矿透水')).toEqual(['吉林省/延边朝鲜族自治州']);
    expect(places('水城区学生食物中毒事件')).toEqual(['贵州省/六盘水市/水城区']);
  });

  it('a news dateline names the desk, not the place', () => {
    expect(places('新华社北京3月21日电 江苏盐城响水县一化工厂发生爆炸')).toEqual(['江苏省/盐城市/响水县']);
    expect(places('中新网上海电 山西临汾一煤矿透水')).toEqual(['山西省/临汾市']);
    expect(places('上海市民反映地铁拥挤')).toEqual(['上海市']);
  });

  it('reads an ambiguous name by the places beside it', () => {
    expect(places('北京朝阳一小区发生火灾')).toEqual(['北京市/朝阳区']);
    expect(places('吉林长春一工厂火灾')).toEqual(['吉林省/长春市']);
    // 乌鲁木齐 beside 新疆 is the city, not its county of the same name.
    expect(places('新疆乌鲁木齐一市场火灾')).toEqual(['新疆维吾尔自治区/乌鲁木齐市']);
  });

  it('takes a county written short only beside its city or province, and never an everyday word', () => {
    expect(places('湖南常德石门一化工厂爆炸')).toEqual(['湖南省/常德市/石门县']);
    expect(places('石门一化工厂爆炸')).toEqual([]);
    expect(places('学校新建的操场真漂亮')).toEqual([]);
    expect(places('今日日照充足')).toEqual([]);
    expect(places('日照市一码头起火')).toEqual(['山东省/日照市']);
    expect(places('朝阳镇卫生院')).toEqual(['朝阳镇']);
  });

  it('builds short names and skips bookkeeping entries', () => {
    expect(shortName('广西壮族自治区')).toBe('广西');
    expect(shortName('恩施土家族苗族自治州')).toBe('恩施');
    expect(shortName('巴音郭楞蒙古自治州')).toBe('巴音郭楞');
    expect(shortName('响水县')).toBe('响水');
    const tree: Division[] = [
      {
        name: '甲省',
        children: [
          { name: '甲省-省直辖县级行政区划', children: [{ name: '乙丙市', area: '01' }] },
          {
            name: '丁戊市',
            children: [
              { name: '市辖区', area: '01' },
              { name: '矿区', area: '02' },
            ],
          },
        ],
      },
    ];
    const g = buildGazetteer(tree, () => new Map([['矿区', 'n']]));
    expect(g.byName.get('乙丙市')?.paths).toEqual(['甲省/乙丙市']);
    expect(g.byName.get('乙丙')?.contextual).toEqual(['甲省/乙丙市']);
    expect(g.byName.get('丁戊')?.paths).toEqual(['甲省/丁戊市']);
    expect(g.byName.has('市辖区')).toBe(false);
    expect(g.byName.has('矿区')).toBe(false);
  });
});

describe('local places (本地词)', () => {
  it('are places as written, and a local place that is a division keeps its path', () => {
    const known = (text: string, words: string[]) => extractPlaces(cut(normalize(text)), new Set(words));
    expect(known('青石镇化工厂爆炸', ['青石镇'])).toEqual(['青石镇']);
    expect(known('响水县城区积水', ['响水县'])).toEqual(['江苏省/盐城市/响水县']);
  });
});

describe('townships and words that only look like places', () => {
  it('an X城镇 is a town; 城镇化 and 小城镇 are not', () => {
    expect(places('萨城镇宏达化工厂发生爆炸，已造成5人死亡')).toEqual(['萨城镇']);
    expect(places('推进新型城镇化建设，小城镇发展迅速')).toEqual([]);
  });

  it('a street named after a place is not that place', () => {
    expect(places('北京路上堵车')).toEqual([]);
    expect(places('宜宾路一小区停水')).toEqual([]);
    expect(places('南京路步行街人很多')).toEqual([]);
  });

  it('kinds of area and phrases are not names', () => {
    expect(places('化工园区爆炸事故已造成3人死亡')).toEqual([]);
    expect(places('暴雨致多个乡镇被淹，此前一小区进水')).toEqual([]);
  });
});

describe('one place at two grains', () => {
  it('overlaps its province, not its neighbour', () => {
    expect(placesOverlap(['江苏省'], ['江苏省/盐城市/响水县'])).toBe(true);
    expect(placesOverlap(['江苏省/南京市'], ['江苏省/盐城市/响水县'])).toBe(false);
    expect(placesOverlap(['江苏省/盐城市'], ['江苏省/盐城市2'])).toBe(false);
  });

  it('a story keeps the finest mention: a coarser one adds nothing, a finer one replaces it', () => {
    const story = new Set(['江苏省']);
    expect(mergePlaces(story, ['江苏省/盐城市/响水县'])).toBe(true);
    expect([...story]).toEqual(['江苏省/盐城市/响水县']);
    expect(mergePlaces(story, ['江苏省'])).toBe(false);
    // So a later report from another city of the province does not join through 江苏省.
    expect(placesOverlap(story, ['江苏省/南京市'])).toBe(false);
  });
});

describe('two incidents of one kind in two places stay two events', () => {
  it('across provinces, with the county written short', () => {
    const a = news('湖南郴州桂阳县一化工企业发生爆炸，现场浓烟滚滚');
    const b = news('广东清远英德化工园区爆炸事故已造成三人死亡，22人受伤');
    const idx = indexWith(a);
    expect(idx.best(b.vector, 0, b.places)).toBeNull();
    // The same county's follow-up joins.
    const c = news('湖南桂阳一化工企业爆炸，现场浓烟滚滚，周边居民紧急疏散');
    expect(idx.best(c.vector, 0, c.places)?.id).toBe(1);
  });

  it('in one place, sharing only the place and the frame words, they are two incidents', () => {
    const a = news('安徽六安一煤矿发生透水事故，7名矿工被困井下');
    const b = news('安徽六安一居民楼发生燃气爆炸，多户窗户被震碎');
    expect(indexWith(a).best(b.vector, 0, b.places)).toBeNull();
  });

  it('in one place, posts naming one kind of incident in other words are one incident', () => {
    const a = news('响水县暴雨致28个村庄受灾，十一人失联');
    const b = news('江苏响水洪水围困群众，救援人员正在转移');
    expect(a.places).toEqual(b.places);
    expect(indexWith(a).best(b.vector, 0, b.places)?.id).toBe(1);
  });
});

describe('hazard kinds', () => {
  it('names the kind of incident, most mentioned first, at most two', () => {
    expect(hazardKinds(lx.kindOf, ['暴雨', '致', '洪水', '被淹'])).toEqual(['flood']);
    expect(hazardKinds(lx.kindOf, ['爆炸', '引发', '火灾', '大火', '着火'])).toEqual(['fire', 'explosion']);
    expect(hazardKinds(lx.kindOf, ['相撞', '起火', '透水', '透水'])).toEqual(['mine', 'traffic']);
    expect(hazardKinds(lx.kindOf, ['学校', '食堂'])).toEqual([]);
  });

  it('is added to the clustering vector only for a post with a 突发 signal', () => {
    expect([...news('宣威市暴雨致14个村庄受灾，五人失联').vector.keys()]).toContain('#kind:flood');
    expect([...news('夏季降雨增多，注意出行').vector.keys()]).not.toContain('#kind:flood');
  });
});
